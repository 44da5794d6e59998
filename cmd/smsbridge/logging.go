package main

import (
	"context"
	"io"
	"log/slog"
	"regexp"
	"strings"
)

// phoneRe finds E.164 numbers in log values.
var phoneRe = regexp.MustCompile(`\+[1-9]\d{6,14}`)

// maskPhone keeps a number's country code and last two digits:
// +13125550123 → +1312*****23. Enough to tell conversations apart in logs,
// not enough to text anyone.
func maskPhone(s string) string {
	return phoneRe.ReplaceAllStringFunc(s, func(n string) string {
		if len(n) <= 7 {
			return n
		}
		return n[:5] + strings.Repeat("*", len(n)-7) + n[len(n)-2:]
	})
}

// maskingHandler masks phone numbers in messages and string attributes.
// Used at every level above debug: at debug, an operator chasing a problem
// sees the numbers.
type maskingHandler struct{ slog.Handler }

func (h maskingHandler) Handle(ctx context.Context, r slog.Record) error {
	nr := slog.NewRecord(r.Time, r.Level, maskPhone(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		nr.AddAttrs(maskAttr(a))
		return true
	})
	return h.Handler.Handle(ctx, nr)
}

func maskAttr(a slog.Attr) slog.Attr {
	switch a.Value.Kind() {
	case slog.KindString:
		return slog.String(a.Key, maskPhone(a.Value.String()))
	case slog.KindGroup:
		as := a.Value.Group()
		out := make([]any, len(as))
		for i, g := range as {
			out[i] = maskAttr(g)
		}
		return slog.Group(a.Key, out...)
	case slog.KindAny:
		if err, ok := a.Value.Any().(error); ok {
			return slog.String(a.Key, maskPhone(err.Error()))
		}
		if s, ok := a.Value.Any().(interface{ String() string }); ok {
			return slog.String(a.Key, maskPhone(s.String()))
		}
	}
	return a
}

func (h maskingHandler) WithAttrs(as []slog.Attr) slog.Handler {
	masked := make([]slog.Attr, len(as))
	for i, a := range as {
		masked[i] = maskAttr(a)
	}
	return maskingHandler{h.Handler.WithAttrs(masked)}
}

func (h maskingHandler) WithGroup(name string) slog.Handler {
	return maskingHandler{h.Handler.WithGroup(name)}
}

// newLogger makes the JSON logger at level ("debug", "info", "warn",
// "error"). Below debug, phone numbers are masked.
func newLogger(w io.Writer, level string) *slog.Logger {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(level)); err != nil {
		lvl = slog.LevelInfo
	}
	var h slog.Handler = slog.NewJSONHandler(w, &slog.HandlerOptions{Level: lvl})
	if lvl > slog.LevelDebug {
		h = maskingHandler{h}
	}
	return slog.New(h)
}
