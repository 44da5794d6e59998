package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// A check of the rendered blocks: the element that sel finds shows text
// (textContent contains it), or has attr with value exactly; count, when
// set, is how many elements sel finds.
type renderCheck struct {
	what, sel, text, attr, value string
	count                        int
}

// renderBlocks are the blocks the bot sends (and a few written to try the
// mrkdwn), as Slack's JSON.
const renderBlocks = `[
 {"type":"header","text":{"type":"plain_text","text":"SMS with +1 312-555-0100 :speech_balloon: <b>"}},
 {"type":"section","block_id":"s1","text":{"type":"mrkdwn","text":"*bold* and _italic_ and ~struck~ and ` + "`code`" + `"},
  "fields":[{"type":"mrkdwn","text":"*State*\nOpen"},{"type":"plain_text","text":"Our number <+1 844>"}]},
 {"type":"section","block_id":"s2","text":{"type":"mrkdwn","text":"See <https://example.com/a?b=1&amp;c=2|the order> or <https://example.org/x>, ask <@U0ALEX> in <#C0SANDBOX|sms-inbox>; 1 &lt; 2 &amp;&amp; 3 &gt; 2; not <javascript:alert(1)|this>"},
  "accessory":{"type":"image","image_url":"/files/F1","alt_text":"a thumbnail"}},
 {"type":"context","elements":[{"type":"image","image_url":"/files/F2","alt_text":"an icon"},{"type":"mrkdwn","text":"Claimed by <@U0YOU> · _2 min ago_ · :clock3: their time"}]},
 {"type":"actions","block_id":"a1","elements":[
  {"type":"button","action_id":"conv_claim","text":{"type":"plain_text","text":"Claim"},"style":"primary","value":"7"},
  {"type":"button","action_id":"conv_resolve","text":{"type":"plain_text","text":"Resolve"},"style":"danger","value":"7"},
  {"type":"static_select","action_id":"conv_snooze","placeholder":{"type":"plain_text","text":"Snooze…"},
   "options":[{"text":{"type":"plain_text","text":"1 hour"},"value":"1h"},{"text":{"type":"plain_text","text":"Tomorrow"},"value":"1d"}]},
  {"type":"users_select","action_id":"conv_assign","placeholder":{"type":"plain_text","text":"Assign to…"}}]},
 {"type":"divider"},
 {"type":"image","image_url":"/files/F3","alt_text":"the picture the phone sent","title":{"type":"plain_text","text":"IMG_0001.jpg"}}
]`

// TestSandboxPageRendersBlockKit renders a fixed set of blocks with the
// page's own renderer in Chromium and checks each kind shows as Slack
// shows it: header, section with text, fields and an image accessory,
// context with an image, actions with buttons (styled) and selects,
// divider, image with its title, and Slack's mrkdwn: bold, italic,
// strike, code, links with and without a label, user and channel
// mentions, &lt; &gt; &amp; shown as < > &, nothing in the text taken as
// HTML, and no javascript: link.
func TestSandboxPageRendersBlockKit(t *testing.T) {
	rs := startSandbox(t, nil)
	ctx := newBrowser(t)
	step := stepper(t, ctx)
	step("open the page", chromedp.Navigate(rs.page), chromedp.WaitVisible(chromedp.CSS("#phone-text")))
	checks := []renderCheck{
		{what: "header", sel: ".block.header", text: "SMS with +1 312-555-0100 💬 <b>"},
		{what: "header text is not HTML", sel: ".block.header b", count: -1},
		{what: "bold", sel: ".block.section b", text: "bold"},
		{what: "italic", sel: ".block.section i", text: "italic"},
		{what: "strike", sel: ".block.section s", text: "struck"},
		{what: "code", sel: ".block.section code", text: "code"},
		{what: "two fields", sel: ".block.section .fields > div", count: 2},
		{what: "a mrkdwn field", sel: ".fields > div:first-child b", text: "State"},
		{what: "a plain_text field", sel: ".fields > div:nth-child(2)", text: "Our number <+1 844>"},
		{what: "link with a label", sel: `a[href="https://example.com/a?b=1&c=2"]`, text: "the order"},
		{what: "link without one", sel: `a[href="https://example.org/x"]`, text: "https://example.org/x"},
		{what: "user mention", sel: ".block.section .mention", text: "@alex"},
		{what: "channel mention", sel: ".block.section .mention:nth-of-type(2)", text: "#sms-inbox"},
		{what: "escapes", sel: `.block.section:nth-child(3)`, text: "1 < 2 && 3 > 2"},
		{what: "no javascript: link", sel: `a[href^="javascript"]`, count: -1},
		{what: "the refused link's label", sel: `a[href="#"]`, text: "this"},
		{what: "accessory image", sel: ".block.section img.image", attr: "alt", value: "a thumbnail"},
		{what: "context image", sel: ".block.context img", attr: "src", value: "/files/F2"},
		{what: "context text", sel: ".block.context span", text: "Claimed by @you · 2 min ago"},
		{what: "context italic", sel: ".block.context i", text: "2 min ago"},
		{what: "emoji", sel: ".block.context span", text: "🕒 their time"},
		{what: "primary button", sel: `.block.actions button.btn.primary[data-action-id="conv_claim"]`, text: "Claim"},
		{what: "danger button", sel: `.block.actions button.btn.danger[data-action-id="conv_resolve"]`, text: "Resolve"},
		{what: "button value", sel: `button[data-action-id="conv_claim"]`, attr: "data-value", value: "7"},
		{what: "static select's placeholder and options", sel: `select[data-action-id="conv_snooze"] option`, count: 3},
		{what: "static select option", sel: `select[data-action-id="conv_snooze"] option[value="1d"]`, text: "Tomorrow"},
		{what: "users select", sel: `select[data-action-id="conv_assign"] option[value="U0ALEX"]`, text: "alex"},
		{what: "divider", sel: ".block.divider", count: 1},
		{what: "image block", sel: `.block > img.image[src="/files/F3"]`, attr: "alt", value: "the picture the phone sent"},
		{what: "image title", sel: ".block:last-child > div", text: "IMG_0001.jpg"},
	}
	type result struct {
		Count int    `json:"count"`
		Text  string `json:"text"`
		Attr  string `json:"attr"`
	}
	q, _ := json.Marshal(checks2js(checks))
	js := `(() => {
	  const d = document.createElement("div");
	  d.id = "render-test";
	  d.innerHTML = blocks(` + renderBlocks + `, { ts: "1.000001" });
	  document.body.prepend(d);
	  return ` + string(q) + `.map(([sel, attr]) => {
	    const all = d.querySelectorAll(sel), el = all[0];
	    return { count: all.length, text: el ? el.textContent : "", attr: el && attr ? (el.getAttribute(attr) || "") : "" };
	  });
	})()`
	results := evaluate[[]result](t, ctx, "render the blocks", js)
	shot(t, ctx, "blocks.png")
	for i, c := range checks {
		r := results[i]
		switch {
		case c.count == -1 && r.Count != 0:
			t.Errorf("%s: %q found %d, want none", c.what, c.sel, r.Count)
		case c.count > 0 && r.Count != c.count:
			t.Errorf("%s: %q found %d, want %d", c.what, c.sel, r.Count, c.count)
		case c.count == 0 && r.Count == 0:
			t.Errorf("%s: nothing matches %q", c.what, c.sel)
		case c.text != "" && !strings.Contains(r.Text, c.text):
			t.Errorf("%s: %q shows %q, want %q in it", c.what, c.sel, r.Text, c.text)
		case c.attr != "" && r.Attr != c.value:
			t.Errorf("%s: %q has %s=%q, want %q", c.what, c.sel, c.attr, r.Attr, c.value)
		}
	}
}

func checks2js(cs []renderCheck) [][2]string {
	out := make([][2]string, len(cs))
	for i, c := range cs {
		out[i] = [2]string{c.sel, c.attr}
	}
	return out
}
