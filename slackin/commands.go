package slackin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/smsbridge/smsbridge/bridge"
	"github.com/smsbridge/smsbridge/slackpost"
)

// CommandRequest is one /sms invocation, split into its subcommand and args.
type CommandRequest struct {
	slack.SlashCommand
	Sub  string   // the subcommand, lower-case ("send"); "" for /sms alone
	Args []string // the words after it, quotes honoured
	// Rest is the text after the subcommand, unsplit (message bodies).
	Rest string
}

// CommandFunc runs a subcommand. The message it returns is the reply
// (ephemeral unless ResponseType is in_channel); a *UsageError becomes an
// ephemeral message with the reason and the usage.
type CommandFunc func(ctx context.Context, req *CommandRequest) (*slack.Msg, error)

// Command is one /sms subcommand.
type Command struct {
	Name    string // "send"
	Usage   string // "/sms send <to> <text> [--from <sender>] [--media <url>]"
	Example string // "/sms send (312) 555-0123 On our way"
	Help    string // one line
	Admin   bool   // only SMSBRIDGE_ADMINS, or workspace admins and owners
	Run     CommandFunc
}

// UsageError is a bad invocation: the user sees Reason and the usage.
type UsageError struct{ Reason string }

func (e *UsageError) Error() string { return e.Reason }

// Usagef makes a UsageError.
func Usagef(format string, args ...any) error { return &UsageError{fmt.Sprintf(format, args...)} }

// Responder posts to a command's or interaction's response_url.
type Responder interface {
	Respond(ctx context.Context, responseURL string, msg *slack.Msg) error
}

// Commands dispatches /sms. Over HTTP and Socket Mode alike, a command is
// acknowledged within Slack's 3 s: a command that finishes within AckWithin
// answers in the acknowledgement; a slower one is acknowledged with a
// "working on it" note and its result goes to the response_url.
type Commands struct {
	mu        sync.RWMutex
	cmds      map[string]Command
	Default   string // subcommand for a bare /sms (e.g. "compose"); "" shows help
	Admins    *Admins
	Responder Responder
	Log       *slog.Logger
	AckWithin time.Duration // default 2s
	// Workspace, when set, refuses commands from any other workspace or app.
	Workspace *Workspace
	// Timeout bounds a command's slow work (default 2m).
	Timeout time.Duration
	wg      sync.WaitGroup
}

// NewCommands makes a dispatcher with the built-in help command.
func NewCommands(admins *Admins, responder Responder, log *slog.Logger) *Commands {
	c := &Commands{cmds: map[string]Command{}, Admins: admins, Responder: responder, Log: log}
	c.Register(Command{Name: "help", Usage: "/sms help", Example: "/sms help", Help: "every command with an example", Run: c.help})
	return c
}

// Register adds or replaces a subcommand.
func (c *Commands) Register(cmd Command) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cmds[cmd.Name] = cmd
}

// Wait blocks until slow command work in flight has finished (shutdown).
func (c *Commands) Wait() { c.wg.Wait() }

// Go runs f in the background, as the handlers' own follow-ups run:
// Wait waits for it too.
func (c *Commands) Go(f func()) {
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		f()
	}()
}

// ServeHTTP handles POST /slack/commands (after signature verification).
func (c *Commands) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sc, err := slack.SlashCommandParse(r)
	if err != nil || sc.Command == "" {
		// An empty or JSON body parses as a command with no fields: it is
		// not one, and must not run as a bare /sms.
		http.Error(w, "not a slash command: want a form with command, team_id and user_id", http.StatusBadRequest)
		return
	}
	msg := c.Handle(r.Context(), sc)
	w.Header().Set("Content-Type", "application/json")
	if msg == nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	json.NewEncoder(w).Encode(msg)
}

// Handle dispatches one slash command and returns the acknowledgement's
// message (nil for an empty acknowledgement).
func (c *Commands) Handle(ctx context.Context, sc slack.SlashCommand) *slack.Msg {
	if !c.Workspace.Allows("command", sc.TeamID, sc.EnterpriseID, sc.APIAppID) {
		return Ephemeral("This Slack app does not serve your workspace, so nothing was done.")
	}
	req := ParseCommand(sc)
	name := req.Sub
	if name == "" {
		name = c.Default
		if name == "" {
			name = "help"
		}
	}
	c.mu.RLock()
	cmd, ok := c.cmds[name]
	c.mu.RUnlock()
	if !ok {
		return Ephemeral(fmt.Sprintf("Unknown command `%s`. Try `/sms help`.", slackpost.Escape(req.Sub)))
	}
	if cmd.Admin && c.Admins != nil {
		allowed, err := c.Admins.Allowed(ctx, sc.UserID)
		if err != nil {
			return Ephemeral("Could not check your permissions with Slack; please try again.")
		}
		if !allowed {
			return Ephemeral(fmt.Sprintf("Sorry, `/sms %s` is for smsbridge admins. Ask an admin if this needs doing.", cmd.Name))
		}
	}
	ackWithin, timeout := c.AckWithin, c.Timeout
	if ackWithin <= 0 {
		ackWithin = 2 * time.Second
	}
	if timeout <= 0 {
		timeout = 2 * time.Minute
	}
	done := make(chan *slack.Msg, 1)
	// The command outlives the HTTP request when it is slow, so its
	// context is detached from the request's and bounded on its own.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		defer cancel()
		done <- c.run(wctx, cmd, req)
	}()
	select {
	case msg := <-done:
		return msg
	case <-time.After(ackWithin):
	}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		msg := <-done
		if msg == nil || sc.ResponseURL == "" || c.Responder == nil {
			return
		}
		if err := c.Responder.Respond(context.WithoutCancel(ctx), sc.ResponseURL, msg); err != nil {
			c.Log.Error("command reply via response_url failed", "command", cmd.Name, "err", err)
		}
	}()
	return Ephemeral(fmt.Sprintf("Working on `/sms %s`…", cmd.Name))
}

func (c *Commands) run(ctx context.Context, cmd Command, req *CommandRequest) *slack.Msg {
	msg, err := cmd.Run(ctx, req)
	var ue *UsageError
	switch {
	case errors.As(err, &ue):
		text := fmt.Sprintf("%s\nUsage: `%s`", ue.Reason, cmd.Usage)
		if cmd.Example != "" {
			text += fmt.Sprintf("\nExample: `%s`", cmd.Example)
		}
		return Ephemeral(text)
	case err != nil:
		c.Log.Error("command failed", "command", cmd.Name, "err", err)
		return Ephemeral(fmt.Sprintf("`/sms %s` did not work: %s.", cmd.Name, slackpost.Escape(bridge.Explain(err))))
	}
	return msg
}

func (c *Commands) help(ctx context.Context, req *CommandRequest) (*slack.Msg, error) {
	c.mu.RLock()
	names := make([]string, 0, len(c.cmds))
	for n := range c.cmds {
		names = append(names, n)
	}
	c.mu.RUnlock()
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("*smsbridge commands*\n")
	for _, n := range names {
		cmd := c.cmds[n]
		admin := ""
		if cmd.Admin {
			admin = " _(admins)_"
		}
		fmt.Fprintf(&b, "• `%s` — %s%s\n", cmd.Usage, cmd.Help, admin)
		if cmd.Example != "" {
			fmt.Fprintf(&b, "    e.g. `%s`\n", cmd.Example)
		}
	}
	return Ephemeral(b.String()), nil
}

// ParseCommand splits a slash command's text into subcommand and args.
// Double quotes group words: /sms contact +1312… "Ana Lopez".
func ParseCommand(sc slack.SlashCommand) *CommandRequest {
	text := strings.TrimSpace(sc.Text)
	sub, rest, _ := strings.Cut(text, " ")
	return &CommandRequest{SlashCommand: sc, Sub: strings.ToLower(sub), Rest: strings.TrimSpace(rest), Args: SplitArgs(rest)}
}

// SplitArgs splits on spaces, keeping "quoted words" together.
func SplitArgs(s string) []string {
	var out []string
	var cur strings.Builder
	inQuote, has := false, false
	for _, r := range s {
		switch {
		case r == '"' || r == '“' || r == '”':
			inQuote, has = !inQuote, true
		case (r == ' ' || r == '\t' || r == '\n') && !inQuote:
			if has {
				out = append(out, cur.String())
				cur.Reset()
				has = false
			}
		default:
			cur.WriteRune(r)
			has = true
		}
	}
	if has {
		out = append(out, cur.String())
	}
	return out
}

// Ephemeral is a reply only the user who ran the command sees.
func Ephemeral(text string) *slack.Msg {
	return &slack.Msg{ResponseType: slack.ResponseTypeEphemeral, Text: text}
}

// Admins decides who may run admin commands: SMSBRIDGE_ADMINS when set,
// otherwise workspace admins and owners (users.info).
type Admins struct {
	IDs    []string
	Client *slack.Client
}

// Allowed reports whether user may run admin commands.
func (a *Admins) Allowed(ctx context.Context, user string) (bool, error) {
	if len(a.IDs) > 0 {
		return slices.Contains(a.IDs, user), nil
	}
	if a.Client == nil {
		return false, nil
	}
	u, err := a.Client.GetUserInfoContext(ctx, user)
	if err != nil {
		return false, err
	}
	return u.IsAdmin || u.IsOwner || u.IsPrimaryOwner, nil
}
