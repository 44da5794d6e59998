package slacklimits

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

type text struct {
	Type     string `json:"type"`
	Text     string `json:"text"`
	Verbatim bool   `json:"verbatim"`
}

func (t text) valid() bool { return t.Type == "plain_text" || t.Type == "mrkdwn" }

func textObject(raw json.RawMessage) (text, bool) {
	var t text
	err := json.Unmarshal(raw, &t)
	return t, err == nil && t.Type != ""
}

// validateElement checks an interactive element; action_id must be unique in its block.
func validateElement(i int, raw json.RawMessage, actionIDs map[string]bool) []string {
	var e struct {
		Type     string          `json:"type"`
		ActionID string          `json:"action_id"`
		Text     json.RawMessage `json:"text"`
		Value    string          `json:"value"`
		Style    string          `json:"style"`
		Options  []struct {
			Text  json.RawMessage `json:"text"`
			Value string          `json:"value"`
		} `json:"options"`
	}
	if err := json.Unmarshal(raw, &e); err != nil || e.Type == "" {
		return []string{fmt.Sprintf("[ERROR] element must have a type [json-pointer:/blocks/%d]", i)}
	}
	var problems []string
	bad := func(format string, args ...any) {
		problems = append(problems, fmt.Sprintf("[ERROR] "+format+" [json-pointer:/blocks/%d]", append(args, i)...))
	}
	if e.ActionID != "" {
		if actionIDs[e.ActionID] {
			bad("duplicate action_id %q", e.ActionID)
		}
		actionIDs[e.ActionID] = true
		if len(e.ActionID) > 255 {
			bad("action_id must be at most 255 characters")
		}
	}
	if e.Type == "button" {
		if t, ok := textObject(e.Text); !ok || t.Type != "plain_text" || utf8.RuneCountInString(t.Text) == 0 || utf8.RuneCountInString(t.Text) > 75 {
			bad("button text must be plain_text of 1 to 75 characters")
		}
		if len(e.Value) > 2000 {
			bad("button value must be at most 2000 characters")
		}
		if e.Style != "" && e.Style != "primary" && e.Style != "danger" {
			bad("button style must be primary or danger")
		}
	}
	if e.Type == "static_select" || e.Type == "multi_static_select" {
		if len(e.Options) == 0 || len(e.Options) > 100 {
			bad("a select has 1 to 100 options, not %d", len(e.Options))
		}
		for _, o := range e.Options {
			if t, ok := textObject(o.Text); !ok || t.Type != "plain_text" || utf8.RuneCountInString(t.Text) > 75 {
				bad("option text must be plain_text of at most 75 characters")
			}
			if o.Value == "" || len(o.Value) > 150 {
				bad("option value must be 1 to 150 characters")
			}
		}
	}
	return problems
}
