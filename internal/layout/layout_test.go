package layout

import (
	"go/build"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/smsbridge/smsbridge/"

// rules: a package (and everything of ours it imports, transitively) must
// not import these. Prefixes ending in "/" match every package under them.
var rules = map[string][]string{
	// The domain knows nothing of HTTP routing or Slack's wire.
	"bridge": append([]string{"github.com/gin-gonic/gin", "github.com/slack-go/slack", module + "webhooks"}, slackPackages...),
	// The Telnyx client knows nothing of Slack, the store or the domain,
	// nor of the webhooks Telnyx sends.
	"telnyx": append(append([]string{module + "telnyxhook"}, outsideTelnyx...), slackPackages...),
	// The account's lookups and settings sit on the client, like it.
	"telnyxacct": append(append([]string{module + "telnyxhook"}, outsideTelnyx...), slackPackages...),
	// Telnyx's webhooks (signature, envelope) are parsed, not handled:
	// no HTTP routing, no store, no domain.
	"telnyxhook": append(outsideTelnyx, slackPackages...),
	// Phone numbers and segments call nobody: not even Telnyx.
	"phone": append(append([]string{module + "telnyx", module + "telnyxacct", module + "telnyxhook"}, outsideTelnyx...), slackPackages...),
	// The store knows no wire format and no layer above it.
	"store": append([]string{"github.com/gin-gonic/gin", "github.com/slack-go/slack", module + "telnyx", module + "bridge", module + "webhooks"}, slackPackages...),
	// Posting is the bottom of the Slack side: it knows none of the rest.
	"slackpost": {"github.com/gin-gonic/gin", module + "webhooks", module + "slackin", module + "inbox", module + "smscmd"},
	// Slack's inputs dispatch to handlers registered with them; they do
	// not know the inbox or the commands.
	"slackin": {"github.com/gin-gonic/gin", module + "webhooks", module + "inbox", module + "smscmd"},
	// The inbox UI and the /sms commands are siblings.
	"inbox":  {"github.com/gin-gonic/gin", module + "webhooks", module + "smscmd"},
	"smscmd": {"github.com/gin-gonic/gin", module + "webhooks", module + "inbox"},
	// /sms is layered too: smscmd assembles the send family and the
	// packages beside it; cmdkit, the kit they share, is the bottom and
	// knows none of them; schedule, ournumbers and records are siblings.
	// (None can import smscmd itself: it imports them, so Go refuses the
	// cycle.)
	"smscmd/cmdkit":     {"github.com/gin-gonic/gin", module + "webhooks", module + "inbox", module + "smscmd/schedule", module + "smscmd/ournumbers", module + "smscmd/records"},
	"smscmd/schedule":   {"github.com/gin-gonic/gin", module + "webhooks", module + "inbox", module + "smscmd/ournumbers", module + "smscmd/records"},
	"smscmd/ournumbers": {"github.com/gin-gonic/gin", module + "webhooks", module + "inbox", module + "smscmd/schedule", module + "smscmd/records"},
	"smscmd/records":    {"github.com/gin-gonic/gin", module + "webhooks", module + "inbox", module + "smscmd/schedule", module + "smscmd/ournumbers"},
	// The bridge's parts: each owns one piece of the domain and none knows
	// Slack's wire or HTTP routing. The leaves below the bridge's core do
	// not know the bridge either (DESIGN.md, "The bridge's packages").
	"bridge/domain":    append(uiBans(), module+"bridge", module+"telnyx"),
	"bridge/pace":      append(uiBans(), module+"bridge", module+"store", module+"telnyx"),
	"bridge/lanes":     append(uiBans(), module+"bridge$", module+"telnyx"),
	"bridge/outbox":    append(uiBans(), module+"bridge$"),
	"bridge/sender":    append(uiBans(), module+"bridge$", module+"bridge/outbox"),
	"bridge/schedule":  append(uiBans(), module+"bridge$"),
	"bridge/retention": append(uiBans(), module+"bridge", module+"telnyx"),
	"bridge/clock":     append(uiBans(), module+"bridge$", module+"telnyx"),
	// The inbound pipeline, the opt-out policy and the saved replies are
	// siblings: each asks the bridge through the interface it declares,
	// and none knows the others (the bridge wires them together).
	"bridge/inbound": append(uiBans(), module+"bridge$", module+"bridge/consent", module+"bridge/replies", module+"bridge/schedule"),
	"bridge/consent": append(uiBans(), module+"bridge$", module+"bridge/inbound", module+"bridge/replies", module+"bridge/outbox", module+"bridge/schedule"),
	"bridge/replies": append(uiBans(), module+"bridge$", module+"bridge/inbound", module+"bridge/consent", module+"bridge/outbox", module+"telnyx"),
	// The fake Slack is Slack as the service sees it: it knows none of the
	// service's layers, and what it is built from (the limits it holds
	// payloads to, the values it records) knows nothing of ours at all.
	"internal/fakeslack":          append([]string{module + "store", module + "bridge", module + "webhooks", module + "telnyx", module + "cmd"}, slackPackages...),
	"internal/fakesocketmode":     append([]string{module + "store", module + "bridge", module + "webhooks", module + "telnyx", module + "cmd"}, slackPackages...),
	"internal/slacklimits":        {module},
	"internal/fakeslack/recorded": {module},
	"internal/fakeslack/filehost": {module},
	// The fakes' parts know nothing of ours at all, or only the parts
	// onlyOurs names.
	"internal/gcra":       {module},
	"internal/telnyxspec": {module},
	// The fake Telnyx plays Telnyx: it signs webhooks as Telnyx does
	// (telnyxhook.Sign) but knows neither the service nor Slack.
	"internal/faketelnyx": append([]string{"github.com/gin-gonic/gin", "github.com/slack-go/slack", "gorm.io/", module + "store", module + "bridge",
		module + "webhooks", module + "cmd", module + "sandbox", module + "internal/fakeslack"}, slackPackages...),
	// The carrier's rules know the fake Telnyx no more than the service:
	// they sign webhooks as Telnyx does (telnyxhook.Sign), nothing else.
	"internal/faketelnyx/carrier": append([]string{"github.com/gin-gonic/gin", "github.com/slack-go/slack", "gorm.io/", module + "store", module + "bridge",
		module + "webhooks", module + "cmd", module + "sandbox", module + "internal/fakeslack", module + "internal/faketelnyx$"}, slackPackages...),
	"internal/telnyxtest": append([]string{"github.com/gin-gonic/gin", "github.com/slack-go/slack", "gorm.io/", module + "store", module + "bridge",
		module + "webhooks", module + "cmd", module + "sandbox"}, slackPackages...),
	// The store's parts (DESIGN.md, "The store's parts"): each keeps its
	// own tables over the shared connection and knows no other part, so a
	// transaction never spans two; the model is the vocabulary they share
	// and the migrations are frozen, knowing not even today's model.
	"store/model":             append([]string{"gorm.io/", module + "store/", module + "internal/"}, aboveStore...),
	"store/migrations":        append([]string{module + "store", module + "internal/"}, aboveStore...),
	"store/internal/conn":     append(storeParts, aboveStore...),
	"store/internal/conntest": append(others("migrations"), aboveStore...),
	"store/work":              append(others("work"), aboveStore...),
	"store/conversations":     append(others("conversations"), aboveStore...),
	"store/outbox":            append(others("outbox"), aboveStore...),
	"store/consent":           append(others("consent"), aboveStore...),
	"store/team":              append(others("team"), aboveStore...),
	"store/budgets":           append(others("budgets"), aboveStore...),
	// The sandbox is the simulated outside (workspace, carrier, phones,
	// the page): it reaches the service only over the wire, as Slack and
	// Telnyx do, so it knows none of the service's own layers.
	"sandbox": append([]string{"gorm.io/", module + "store", module + "bridge"}, slackPackages...),
}

// onlyOurs: a package (and everything of ours it imports, transitively)
// may import of ours only these. The fakes' parts are built from each
// other, never from a fake or the service.
var onlyOurs = map[string][]string{
	"internal/fakeslack/views": {"internal/slacklimits", "internal/fakeslack/recorded"},
	"internal/slackrate":       {"internal/gcra"},
	"internal/telnyxrate":      {"internal/gcra"},
}

// outsideTelnyx is what the Telnyx side (telnyx, telnyxacct, telnyxhook,
// phone) must
// not reach, besides the Slack side.
var outsideTelnyx = []string{"github.com/gin-gonic/gin", "github.com/slack-go/slack", "gorm.io/", module + "store", module + "bridge", module + "webhooks"}

// uiBans is what no part of the domain may import: HTTP routing, Slack's
// wire, the webhook handlers and the Slack side.
func uiBans() []string {
	return append([]string{"github.com/gin-gonic/gin", "github.com/slack-go/slack", module + "webhooks"}, slackPackages...)
}

// aboveStore is what no part of the store may import: HTTP routing,
// Slack's and Telnyx's wire, the domain and every layer above it.
var aboveStore = append([]string{"github.com/gin-gonic/gin", "github.com/slack-go/slack", module + "telnyx", module + "telnyxhook", module + "bridge", module + "webhooks"}, slackPackages...)

// storeParts are the store's parts, each a package of its own, and its
// migrations.
var storeParts = []string{module + "store/work", module + "store/conversations", module + "store/outbox",
	module + "store/consent", module + "store/team", module + "store/budgets", module + "store/migrations"}

// others is the store's parts but part; the migrations are not a part's
// to run (package store applies them), so they are listed for every part.
func others(part string) []string {
	out := []string{}
	for _, p := range storeParts {
		if p != module+"store/"+part {
			out = append(out, p)
		}
	}
	return out
}

// slackPackages are the Slack side: posting, inputs, the inbox UI, /sms.
var slackPackages = []string{module + "slackpost", module + "slackin", module + "inbox", module + "smscmd", module + "bot"}

// directRules: a package must not import these itself (it may reach them
// through the domain, which owns them).
var directRules = map[string][]string{
	// The Slack side asks the domain; it never talks to the database.
	"slackpost":         {"gorm.io/", module + "store"},
	"slackin":           {"gorm.io/", module + "store"},
	"inbox":             {"gorm.io/", module + "store"},
	"smscmd":            {"gorm.io/", module + "store"},
	"smscmd/cmdkit":     {"gorm.io/", module + "store"},
	"smscmd/schedule":   {"gorm.io/", module + "store"},
	"smscmd/ournumbers": {"gorm.io/", module + "store"},
	"smscmd/records":    {"gorm.io/", module + "store"},
	// The sending port knows Telnyx, not the database.
	"bridge/sender": {"gorm.io/", module + "store"},
	// The clock keeps no state: it reaches no database.
	"bridge/clock": {"gorm.io/", module + "store"},
	// HTTP handlers hand over; they hold no database code.
	"webhooks": {"gorm.io/"},
}

// banned: b ending in "/" bans every package under it, b ending in "$"
// bans that package alone (not the ones under it), any other b bans the
// package and every one under it.
func banned(imp, b string) bool {
	if exact, ok := strings.CutSuffix(b, "$"); ok {
		return imp == exact
	}
	if strings.HasSuffix(b, "/") {
		return strings.HasPrefix(imp, b)
	}
	return imp == b || strings.HasPrefix(imp, b+"/")
}

func root(t *testing.T) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// imports is every import path reachable from pkg through our own
// packages (external packages are listed, not followed), with the chain
// that reached it.
func imports(t *testing.T, dir, pkg string) map[string]string {
	t.Helper()
	seen := map[string]string{}
	var walk func(rel, via string)
	walk = func(rel, via string) {
		p, err := build.ImportDir(filepath.Join(dir, rel), 0)
		if err != nil {
			t.Fatalf("%s: %v", rel, err)
		}
		for _, imp := range p.Imports {
			if _, ok := seen[imp]; ok {
				continue
			}
			chain := via + " → " + imp
			seen[imp] = chain
			if strings.HasPrefix(imp, module) {
				walk(strings.TrimPrefix(imp, module), chain)
			}
		}
	}
	walk(pkg, pkg)
	return seen
}

func TestPackagesKeepTheImportRulesOfDesignMD(t *testing.T) {
	dir := root(t)
	for pkg, bans := range rules {
		for imp, chain := range imports(t, dir, pkg) {
			for _, b := range bans {
				if banned(imp, b) {
					t.Errorf("%s must not import %s, but does: %s", pkg, b, chain)
				}
			}
		}
	}
	for pkg, bans := range directRules {
		p, err := build.ImportDir(filepath.Join(dir, pkg), 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range p.Imports {
			for _, b := range bans {
				if banned(imp, b) {
					t.Errorf("%s must not import %s itself", pkg, imp)
				}
			}
		}
	}
}

func TestFakesPartsImportOnlyTheirOwn(t *testing.T) {
	dir := root(t)
	for pkg, allowed := range onlyOurs {
		for imp, chain := range imports(t, dir, pkg) {
			if ours, ok := strings.CutPrefix(imp, module); ok && !slices.Contains(allowed, ours) {
				t.Errorf("%s may import of smsbridge only %v, but reaches %s: %s", pkg, allowed, imp, chain)
			}
		}
	}
}

// The check can fail: bridge reaches store, which reaches gorm.
func TestImportWalkFollowsOurPackages(t *testing.T) {
	got := imports(t, root(t), "bridge")
	if _, ok := got["gorm.io/gorm"]; !ok {
		t.Fatalf("the walk did not follow bridge → store → gorm: %v", got)
	}
}
