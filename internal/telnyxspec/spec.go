// Package telnyxspec is the Telnyx Messaging API as its vendored OpenAPI
// 3.1 spec (telnyx/testdata/telnyx-messaging.openapi.yaml) describes it,
// for the fake Telnyx (internal/faketelnyx) to hold requests and answers
// to: the spec's operations as routes ("GET /messages/{id}"), matching a
// request to its route, and checking a request strictly (undeclared
// properties and parameters are errors, deepObject queries such as
// page[size] understood) and an answer leniently (extra properties
// allowed, as the spec allows them), with problems in words. The spec's one
// known defect, the length of media[].hash_sha256, is patched out.
//
// It imports nothing of smsbridge (internal/layout checks it).
package telnyxspec

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	verrors "github.com/pb33f/libopenapi-validator/errors"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
)

// Path is the vendored Telnyx Messaging OpenAPI 3.1 spec, found from
// this source file so that tests of any package can use it.
func Path() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "telnyx", "testdata", "telnyx-messaging.openapi.yaml")
}

// hashSHA256Bounds is the spec's wrong length bound on media[].hash_sha256
// (32; a hex SHA-256 has 64 characters). It is removed before validating.
const hashSHA256Bounds = `                description: The SHA256 hash of the requested media.
                maxLength: 32
                minLength: 32
`

// Patched returns the spec's bytes with the known defect patched: the
// length bounds of media[].hash_sha256 are dropped (real values are 64 hex
// chars).
func Patched() ([]byte, error) {
	b, err := os.ReadFile(Path())
	if err != nil {
		return nil, err
	}
	if !bytes.Contains(b, []byte(hashSHA256Bounds)) {
		return nil, fmt.Errorf("telnyxspec: spec changed: hash_sha256 bounds not found where expected")
	}
	return bytes.ReplaceAll(b, []byte(hashSHA256Bounds), []byte("                description: The SHA256 hash of the requested media.\n")), nil
}

// Route is one operation of the spec: method and path template (with /v2).
type Route struct {
	Method   string
	Template string   // "/v2/messages/{id}"
	segs     []string // split template
}

// Key is how tests name a route: "GET /messages/{id}" (no /v2).
func (r Route) Key() string { return r.Method + " " + strings.TrimPrefix(r.Template, "/v2") }

// Model is the loaded spec: its routes and validators. It is shared by
// every user in the process and safe for concurrent use.
type Model struct {
	strict  validator.Validator // requests: undeclared properties and params are errors
	lenient validator.Validator // responses: extra properties allowed, as in the spec
	routes  []Route
	// deepObject lists, per route key, each deepObject query parameter and
	// its declared properties: strict mode does not know that page[size]
	// is the "size" property of the deepObject parameter "page".
	deepObject map[string]map[string]map[string]bool
}

var (
	specOnce sync.Once
	specVal  *Model
	specErr  error
	// validateMu serialises validator calls: the validators' caches are
	// shared by every server in the process.
	validateMu sync.Mutex
)

// Load reads and builds the spec once per process.
func Load() (*Model, error) {
	specOnce.Do(func() {
		b, err := Patched()
		if err != nil {
			specErr = err
			return
		}
		deep := map[string]map[string]map[string]bool{}
		mk := func(opts ...config.Option) (validator.Validator, []Route, error) {
			doc, err := libopenapi.NewDocument(b)
			if err != nil {
				return nil, nil, err
			}
			v, errs := validator.NewValidator(doc, opts...)
			if len(errs) > 0 {
				return nil, nil, fmt.Errorf("telnyxspec: building validator: %v", errs)
			}
			m, err := doc.BuildV3Model()
			if err != nil {
				return nil, nil, err
			}
			var rs []Route
			for p, item := range m.Model.Paths.PathItems.FromOldest() {
				for method, op := range item.GetOperations().FromOldest() {
					r := Route{Method: strings.ToUpper(method), Template: p, segs: strings.Split(p, "/")}
					rs = append(rs, r)
					for _, prm := range append(append([]*v3.Parameter{}, item.Parameters...), op.Parameters...) {
						if prm == nil || prm.In != "query" || prm.Style != "deepObject" || prm.Schema == nil {
							continue
						}
						sch := prm.Schema.Schema()
						if sch == nil || sch.Properties == nil {
							continue
						}
						props := map[string]bool{}
						for name := range sch.Properties.KeysFromOldest() {
							props[name] = true
						}
						if deep[r.Key()] == nil {
							deep[r.Key()] = map[string]map[string]bool{}
						}
						deep[r.Key()][prm.Name] = props
					}
				}
			}
			return v, rs, nil
		}
		strict, rs, err := mk(config.WithStrictMode(), config.WithFormatAssertions())
		if err != nil {
			specErr = err
			return
		}
		lenient, _, err := mk(config.WithFormatAssertions())
		if err != nil {
			specErr = err
			return
		}
		// Literal segments win over parameters: /messages/group_mms before
		// /messages/{id}.
		sort.SliceStable(rs, func(i, j int) bool { return literalCount(rs[i]) > literalCount(rs[j]) })
		specVal = &Model{strict: strict, lenient: lenient, routes: rs, deepObject: deep}
	})
	return specVal, specErr
}

// dropDeepObjectFalsePositives removes strict mode's "undeclared query
// parameter" errors for base[prop] keys where base is a deepObject parameter
// of the route that declares prop. Undeclared props stay errors.
func (m *Model) dropDeepObjectFalsePositives(routeKey string, errs []*verrors.ValidationError) []*verrors.ValidationError {
	var out []*verrors.ValidationError
	for _, e := range errs {
		if e.ValidationType == verrors.StrictValidationType && e.ValidationSubType == verrors.StrictSubTypeQuery {
			name := e.ParameterName
			if i := strings.IndexByte(name, '['); i > 0 && strings.HasSuffix(name, "]") {
				base, prop := name[:i], name[i+1:len(name)-1]
				if m.deepObject[routeKey][base][prop] {
					continue
				}
			}
		}
		out = append(out, e)
	}
	return out
}

func literalCount(r Route) int {
	n := 0
	for _, s := range r.segs {
		if !strings.HasPrefix(s, "{") {
			n++
		}
	}
	return n
}

// Match finds the spec operation for method and path, with path parameters.
func (m *Model) Match(method, path string) (Route, map[string]string, bool) {
	segs := strings.Split(path, "/")
	for _, r := range m.routes {
		if r.Method != method || len(r.segs) != len(segs) {
			continue
		}
		params := map[string]string{}
		ok := true
		for i, s := range r.segs {
			if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
				if segs[i] == "" {
					ok = false
					break
				}
				params[strings.Trim(s, "{}")] = segs[i]
				continue
			}
			if s != segs[i] {
				ok = false
				break
			}
		}
		if ok {
			return r, params, true
		}
	}
	return Route{}, nil, false
}

// CheckRequest is what the spec (strictly) finds wrong with hr, whose
// body is body, matched to routeKey: one message per problem, none when
// it is valid.
func (m *Model) CheckRequest(hr *http.Request, body []byte, routeKey string) []string {
	validateMu.Lock()
	_, errs := m.strict.ValidateHttpRequestSync(withBody(hr, body))
	validateMu.Unlock()
	return describe(m.dropDeepObjectFalsePositives(routeKey, errs))
}

// CheckResponse is what the spec (leniently) finds wrong with an answer
// of status, header and raw body to hr (whose body was body); ok is false
// when the answer is invalid.
func (m *Model) CheckResponse(hr *http.Request, body []byte, status int, header http.Header, raw []byte) (problems []string, ok bool) {
	hresp := &http.Response{
		StatusCode: status,
		Header:     header,
		Body:       io.NopCloser(bytes.NewReader(raw)),
		Request:    withBody(hr, body),
	}
	validateMu.Lock()
	valid, errs := m.lenient.ValidateHttpResponse(withBody(hr, body), hresp)
	validateMu.Unlock()
	if valid {
		return nil, true
	}
	return describe(errs), false
}

// withBody is a copy of hr with its body readable again, for the validator.
func withBody(hr *http.Request, body []byte) *http.Request {
	c := hr.Clone(hr.Context())
	c.Body = io.NopCloser(bytes.NewReader(body))
	return c
}

func describe(errs []*verrors.ValidationError) []string {
	var out []string
	for _, e := range errs {
		msg := e.Message
		if e.Reason != "" && e.Reason != e.Message {
			msg += ": " + e.Reason
		}
		for _, se := range e.SchemaValidationErrors {
			if se == nil {
				continue
			}
			loc := se.FieldPath
			if loc == "" {
				loc = se.KeywordLocation
			}
			msg += fmt.Sprintf(" [%s: %s]", loc, se.Reason)
		}
		out = append(out, msg)
	}
	return out
}

// Routes lists every operation of the spec as a route key
// ("GET /messages/{id}"), sorted.
func Routes() ([]string, error) {
	m, err := Load()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, r := range m.routes {
		out = append(out, r.Key())
	}
	sort.Strings(out)
	return out, nil
}
