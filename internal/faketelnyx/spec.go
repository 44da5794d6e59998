package faketelnyx

import "github.com/smsbridge/smsbridge/internal/telnyxspec"

// The spec the fake holds requests and answers to is package telnyxspec;
// these name it for tests that read the spec themselves.

// SpecPath is the vendored Telnyx Messaging OpenAPI 3.1 spec.
func SpecPath() string { return telnyxspec.Path() }

// Spec returns the spec's bytes with the known defect patched: the length
// bounds of media[].hash_sha256 are dropped (real values are 64 hex chars).
func Spec() ([]byte, error) { return telnyxspec.Patched() }

// Routes lists every operation of the spec as a route key
// ("GET /messages/{id}"), sorted.
func Routes() ([]string, error) { return telnyxspec.Routes() }
