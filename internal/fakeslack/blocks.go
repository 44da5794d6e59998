package fakeslack

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// validateBlocks checks the Block Kit limits Slack enforces most often, so
// that a message the fake accepts is one Slack would accept too. It returns
// Slack-style problem messages, none when the blocks are valid.
func validateBlocks(raw []byte) []string { return validateBlocksMax(raw, 50) }

// validateViewBlocks is validateBlocks for a modal or the App Home, which
// take up to 100 blocks.
func validateViewBlocks(raw []byte) []string { return validateBlocksMax(raw, 100) }

// nullFields lists where a JSON document has null values: Slack refuses a
// payload with a null where it wants a value (slack-go omits empty fields;
// a null means a field was built wrong).
func nullFields(raw []byte) []string {
	var doc any
	if json.Unmarshal(raw, &doc) != nil {
		return nil
	}
	var out []string
	var walk func(v any, path string)
	walk = func(v any, path string) {
		switch x := v.(type) {
		case nil:
			out = append(out, fmt.Sprintf("[ERROR] null value [json-pointer:%s]", path))
		case map[string]any:
			for k, e := range x {
				walk(e, path+"/"+k)
			}
		case []any:
			for i, e := range x {
				walk(e, fmt.Sprintf("%s/%d", path, i))
			}
		}
	}
	walk(doc, "/blocks")
	return out
}

func validateBlocksMax(raw []byte, max int) []string {
	var blocks []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &blocks); err != nil {
		return []string{"[ERROR] blocks must be a JSON array of objects"}
	}
	problems := nullFields(raw)
	bad := func(i int, format string, args ...any) {
		problems = append(problems, fmt.Sprintf("[ERROR] "+format+" [json-pointer:/blocks/%d]", append(args, i)...))
	}
	if len(blocks) > max {
		problems = append(problems, fmt.Sprintf("[ERROR] no more than %d items allowed [json-pointer:/blocks]", max))
	}
	blockIDs := map[string]bool{}
	for i, b := range blocks {
		var typ, blockID string
		_ = json.Unmarshal(b["type"], &typ)
		_ = json.Unmarshal(b["block_id"], &blockID)
		if blockID != "" {
			if blockIDs[blockID] {
				bad(i, "duplicate block_id %q", blockID)
			}
			blockIDs[blockID] = true
			if len(blockID) > 255 {
				bad(i, "block_id must be at most 255 characters")
			}
		}
		switch typ {
		case "":
			bad(i, "missing required field: type")
		case "header":
			if t, ok := textObject(b["text"]); !ok || t.Type != "plain_text" {
				bad(i, "header text must be a plain_text object")
			} else if n := utf8.RuneCountInString(t.Text); n == 0 || n > 150 {
				bad(i, "header text must be 1 to 150 characters")
			}
		case "section":
			_, hasText := b["text"]
			_, hasFields := b["fields"]
			if !hasText && !hasFields {
				bad(i, "section must have text or fields")
			}
			if hasText {
				if t, ok := textObject(b["text"]); !ok || !t.valid() {
					bad(i, "section text must be a text object")
				} else if n := utf8.RuneCountInString(t.Text); n == 0 || n > 3000 {
					bad(i, "section text must be 1 to 3000 characters")
				}
			}
			if hasFields {
				var fields []json.RawMessage
				_ = json.Unmarshal(b["fields"], &fields)
				if len(fields) > 10 {
					bad(i, "section must have at most 10 fields")
				}
				for _, f := range fields {
					if t, ok := textObject(f); !ok || !t.valid() || utf8.RuneCountInString(t.Text) > 2000 {
						bad(i, "section fields must be text objects of at most 2000 characters")
					}
				}
			}
			if acc, ok := b["accessory"]; ok {
				problems = append(problems, validateElement(i, acc, map[string]bool{})...)
			}
		case "context":
			var elems []json.RawMessage
			_ = json.Unmarshal(b["elements"], &elems)
			if len(elems) == 0 || len(elems) > 10 {
				bad(i, "context must have 1 to 10 elements")
			}
			for _, e := range elems {
				if t, ok := textObject(e); ok && t.Type != "image" && (!t.valid() || utf8.RuneCountInString(t.Text) > 3000) {
					bad(i, "context text must be a text object of at most 3000 characters")
				}
			}
		case "input":
			if t, ok := textObject(b["label"]); !ok || t.Type != "plain_text" || utf8.RuneCountInString(t.Text) == 0 || utf8.RuneCountInString(t.Text) > 2000 {
				bad(i, "input label must be plain_text of 1 to 2000 characters")
			}
			if el, ok := b["element"]; ok {
				problems = append(problems, validateElement(i, el, map[string]bool{})...)
			} else {
				bad(i, "input must have an element")
			}
		case "actions":
			var elems []json.RawMessage
			_ = json.Unmarshal(b["elements"], &elems)
			if len(elems) == 0 || len(elems) > 25 {
				bad(i, "actions must have 1 to 25 elements")
			}
			actionIDs := map[string]bool{}
			for _, e := range elems {
				problems = append(problems, validateElement(i, e, actionIDs)...)
			}
		}
	}
	return problems
}

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

// MessageProblems checks a message the app answers with directly (a slash
// command's acknowledgement, a response body) by the limits Slack holds a
// posted message to: its text length and its blocks. It returns what Slack
// would refuse, nothing when the message is fine.
func MessageProblems(text string, blocks []byte) []string {
	var problems []string
	if utf8.RuneCountInString(text) > MaxText {
		problems = append(problems, "msg_too_long")
	}
	if len(blocks) > 0 && string(blocks) != "null" {
		problems = append(problems, validateBlocks(blocks)...)
	}
	return problems
}
