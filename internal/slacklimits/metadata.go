package slacklimits

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// Message metadata (docs.slack.dev/messaging/message-metadata):
// chat.postMessage and chat.update take metadata={event_type,
// event_payload}. event_type holds letters, digits, underscores and
// hyphens; event_payload is an object whose values are strings, numbers,
// booleans, objects of those, or arrays of such objects. Slack ignores
// metadata it cannot read (with a warning); the fake refuses it, so a test
// sees the mistake.

var metadataEventType = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// Metadata checks a metadata parameter of chat.postMessage or
// chat.update: the metadata as it is kept, or what is wrong with it and
// Slack's error code; "" is no metadata.
func Metadata(raw string) (json.RawMessage, []string, string) {
	if raw == "" {
		return nil, nil, ""
	}
	var md struct {
		EventType    *string                    `json:"event_type"`
		EventPayload map[string]json.RawMessage `json:"event_payload"`
	}
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&md); err != nil {
		return nil, []string{err.Error()}, "invalid_metadata_format"
	}
	var problems []string
	switch {
	case md.EventType == nil || *md.EventType == "":
		problems = append(problems, "metadata.event_type is missing")
	case !metadataEventType.MatchString(*md.EventType):
		problems = append(problems, fmt.Sprintf("metadata.event_type %q: letters, digits, _ and - only", *md.EventType))
	}
	if md.EventPayload == nil {
		problems = append(problems, "metadata.event_payload must be an object")
	}
	for k, v := range md.EventPayload {
		if p := payloadValueProblem(v); p != "" {
			problems = append(problems, "metadata.event_payload."+k+": "+p)
		}
	}
	if len(problems) > 0 {
		return nil, problems, "invalid_metadata_schema"
	}
	return json.RawMessage(raw), nil, ""
}

// payloadValueProblem checks one event_payload value: a scalar, an object
// of scalars, or an array of such objects.
func payloadValueProblem(raw json.RawMessage) string {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return err.Error()
	}
	switch v := v.(type) {
	case map[string]any:
		return scalarsProblem(v)
	case []any:
		for _, e := range v {
			o, ok := e.(map[string]any)
			if !ok {
				return "an array holds objects only"
			}
			if p := scalarsProblem(o); p != "" {
				return p
			}
		}
		return ""
	}
	return scalarProblem(v)
}

func scalarsProblem(o map[string]any) string {
	for k, e := range o {
		if p := scalarProblem(e); p != "" {
			return k + ": " + p
		}
	}
	return ""
}

func scalarProblem(v any) string {
	switch v.(type) {
	case string, float64, bool:
		return ""
	case nil:
		return "null is not a value Slack takes"
	}
	return "objects and arrays nest one level only"
}
