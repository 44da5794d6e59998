package main

import (
	"fmt"
	"io"
)

// run is the whole program, testable: it returns the exit code.
func run(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cfg, err := loadConfig(getenv)
	if err != nil {
		fmt.Fprintln(stderr, "smsbridge:", err)
		return 2
	}
	_ = cfg
	return 0
}
