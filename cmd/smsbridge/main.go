// Command smsbridge serves the Telnyx and Slack webhooks and works the
// conversations. Settings come from the environment; see README.md.
package main

import "os"

func main() { os.Exit(run(os.Args[1:], os.Getenv, os.Stdout, os.Stderr)) }
