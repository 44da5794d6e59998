package slacklimits

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// MaxMessageBlocks is how many blocks a message takes; MaxViewBlocks how
// many a modal or the App Home takes.
const (
	MaxMessageBlocks = 50
	MaxViewBlocks    = 100
)

// Blocks checks a message's blocks by the Block Kit limits Slack enforces
// most often. It returns Slack-style problem messages, none when the
// blocks are valid.
func Blocks(raw []byte) []string { return BlocksMax(raw, MaxMessageBlocks) }

// ViewBlocks is Blocks for a modal or the App Home.
func ViewBlocks(raw []byte) []string { return BlocksMax(raw, MaxViewBlocks) }

// NullFields lists where a JSON document has null values: Slack refuses a
// payload with a null where it wants a value (slack-go omits empty fields;
// a null means a field was built wrong).
func NullFields(raw []byte) []string {
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

// BlocksMax checks blocks, of which there may be at most max.
func BlocksMax(raw []byte, max int) []string {
	var blocks []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &blocks); err != nil {
		return []string{"[ERROR] blocks must be a JSON array of objects"}
	}
	c := &checker{problems: NullFields(raw)}
	if len(blocks) > max {
		c.problems = append(c.problems, fmt.Sprintf("[ERROR] no more than %d items allowed [json-pointer:/blocks]", max))
	}
	blockIDs := map[string]bool{}
	for i, b := range blocks {
		c.i = i
		var typ, blockID string
		_ = json.Unmarshal(b["type"], &typ)
		_ = json.Unmarshal(b["block_id"], &blockID)
		if blockID != "" {
			if blockIDs[blockID] {
				c.bad("duplicate block_id %q", blockID)
			}
			blockIDs[blockID] = true
			if len(blockID) > 255 {
				c.bad("block_id must be at most 255 characters")
			}
		}
		if typ == "" {
			c.bad("missing required field: type")
			continue
		}
		if check, ok := blockChecks[typ]; ok {
			check(c, b)
		}
	}
	return c.problems
}

// checker gathers the problems of the block it is at.
type checker struct {
	i        int
	problems []string
}

func (c *checker) bad(format string, args ...any) {
	c.problems = append(c.problems, fmt.Sprintf("[ERROR] "+format+" [json-pointer:/blocks/%d]", append(args, c.i)...))
}

func (c *checker) element(raw json.RawMessage, actionIDs map[string]bool) {
	c.problems = append(c.problems, validateElement(c.i, raw, actionIDs)...)
}

// blockChecks are the checks of each block type the fake knows; other
// types are taken as they are.
var blockChecks = map[string]func(c *checker, b map[string]json.RawMessage){
	"header":  checkHeader,
	"section": checkSection,
	"context": checkContext,
	"input":   checkInput,
	"actions": checkActions,
}

func checkHeader(c *checker, b map[string]json.RawMessage) {
	if t, ok := textObject(b["text"]); !ok || t.Type != "plain_text" {
		c.bad("header text must be a plain_text object")
	} else if n := utf8.RuneCountInString(t.Text); n == 0 || n > 150 {
		c.bad("header text must be 1 to 150 characters")
	}
}

func checkSection(c *checker, b map[string]json.RawMessage) {
	_, hasText := b["text"]
	_, hasFields := b["fields"]
	if !hasText && !hasFields {
		c.bad("section must have text or fields")
	}
	if hasText {
		if t, ok := textObject(b["text"]); !ok || !t.valid() {
			c.bad("section text must be a text object")
		} else if n := utf8.RuneCountInString(t.Text); n == 0 || n > 3000 {
			c.bad("section text must be 1 to 3000 characters")
		}
	}
	if hasFields {
		var fields []json.RawMessage
		_ = json.Unmarshal(b["fields"], &fields)
		if len(fields) > 10 {
			c.bad("section must have at most 10 fields")
		}
		for _, f := range fields {
			if t, ok := textObject(f); !ok || !t.valid() || utf8.RuneCountInString(t.Text) > 2000 {
				c.bad("section fields must be text objects of at most 2000 characters")
			}
		}
	}
	if acc, ok := b["accessory"]; ok {
		c.element(acc, map[string]bool{})
	}
}

func checkContext(c *checker, b map[string]json.RawMessage) {
	var elems []json.RawMessage
	_ = json.Unmarshal(b["elements"], &elems)
	if len(elems) == 0 || len(elems) > 10 {
		c.bad("context must have 1 to 10 elements")
	}
	for _, e := range elems {
		if t, ok := textObject(e); ok && t.Type != "image" && (!t.valid() || utf8.RuneCountInString(t.Text) > 3000) {
			c.bad("context text must be a text object of at most 3000 characters")
		}
	}
}

func checkInput(c *checker, b map[string]json.RawMessage) {
	if t, ok := textObject(b["label"]); !ok || t.Type != "plain_text" || utf8.RuneCountInString(t.Text) == 0 || utf8.RuneCountInString(t.Text) > 2000 {
		c.bad("input label must be plain_text of 1 to 2000 characters")
	}
	if el, ok := b["element"]; ok {
		c.element(el, map[string]bool{})
	} else {
		c.bad("input must have an element")
	}
}

func checkActions(c *checker, b map[string]json.RawMessage) {
	var elems []json.RawMessage
	_ = json.Unmarshal(b["elements"], &elems)
	if len(elems) == 0 || len(elems) > 25 {
		c.bad("actions must have 1 to 25 elements")
	}
	actionIDs := map[string]bool{}
	for _, e := range elems {
		c.element(e, actionIDs)
	}
}
