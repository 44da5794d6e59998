package store

import (
	"context"
	"testing"
)

func TestProbeWriteCommitsOneRow(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	for range 2 {
		if err := s.ProbeWrite(ctx); err != nil {
			t.Fatal(err)
		}
	}
	var n int64
	if err := s.DB().Table("write_probe").Count(&n).Error; err != nil || n != 1 {
		t.Fatalf("write_probe has %d rows (%v), want 1", n, err)
	}
	s.Close()
	if err := s.ProbeWrite(ctx); err == nil {
		t.Fatal("probe of a closed database succeeded")
	}
}
