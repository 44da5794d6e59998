package records

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/slack-go/slack"

	"github.com/smsbridge/smsbridge/bridge"
	"github.com/smsbridge/smsbridge/slackin"
	"github.com/smsbridge/smsbridge/slackpost"
	"github.com/smsbridge/smsbridge/smscmd/cmdkit"
)

// The consent record and exports: /sms consent <number> shows a number's
// history, /sms consent <number> optout|optin records a teammate's manual
// change, /sms consent export (admins) and /sms export <number> upload a
// CSV to the asker's DM. The bridge writes the CSV a page at a time into
// a temporary file (not memory); the file is uploaded from there.

func (s *commands) registerExports() {
	s.Cmds.Register(slackin.Command{
		Name:    "consent",
		Usage:   "/sms consent <number> [optout|optin [--from <our number>]] | export",
		Example: "/sms consent (312) 555-0123",
		Help:    "a number's consent history (every opt-out and opt-in: keyword and text, Telnyx 40300 or list, a teammate's change, when, our number); record a manual opt-out or (admins) opt-in; export every record as CSV to your DM (admins)",
		Run:     s.runConsent,
	})
	s.Cmds.Register(slackin.Command{
		Name:    "export",
		Usage:   "/sms export <number>",
		Example: "/sms export (312) 555-0123",
		Help:    "the number's transcript (both directions, times, who sent, delivery states, media links) as a CSV file in your DM",
		Run:     s.runExport,
	})
}

func (s *commands) runConsent(ctx context.Context, req *slackin.CommandRequest) (*slack.Msg, error) {
	if strings.EqualFold(strings.TrimSpace(req.Rest), "export") {
		return s.consentExport(ctx, req.UserID)
	}
	nums, rest, err := cmdkit.TakeNumbers(req.Rest, s.Region, false)
	if err != nil {
		return nil, err
	}
	num := nums[0]
	verb, rest := cmdkit.NextToken(rest)
	switch strings.ToLower(verb) {
	case "":
		return s.consentHistory(ctx, num)
	case "optout", "opt-out", "optin", "opt-in":
		return s.consentChange(ctx, req, num, strings.ToLower(strings.ReplaceAll(verb, "-", "")), rest)
	}
	return nil, slackin.Usagef("After the number: nothing (the history), optout or optin; got %q.", verb)
}

func (s *commands) consentHistory(ctx context.Context, num bridge.E164) (*slack.Msg, error) {
	history, err := s.Bridge.OptOutHistory(ctx, num)
	if err != nil {
		return nil, err
	}
	if len(history) == 0 {
		return slackin.Ephemeral(fmt.Sprintf("smsbridge has no opt-out or opt-in of %s on record (`/sms optouts %s` also asks Telnyx's list).",
			slackpost.Escape(slackpost.FormatNumber(num)), slackpost.Escape(string(num)))), nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "*Consent history of %s* (newest first)\n", slackpost.Escape(slackpost.FormatNumber(num)))
	for _, h := range history {
		b.WriteString("• " + consentLine(num, h))
	}
	return cmdkit.MsgWithBlocks(b.String(), cmdkit.SectionsOf(b.String())...), nil
}

// consentChange records a teammate's manual opt-out (anyone: it only
// stops texts) or opt-in (admins: it allows texting again) of num from our
// number (--from, else the channel's).
func (s *commands) consentChange(ctx context.Context, req *slackin.CommandRequest, num bridge.E164, verb, rest string) (*slack.Msg, error) {
	var o cmdkit.SendOpts
	left, err := o.Consume(rest, s.Region)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(left) != "" || o.Pool || len(o.Media) > 0 {
		return nil, slackin.Usagef("After %s only --from <our number> may follow.", verb)
	}
	if err := s.ResolveFrom(ctx, &o, req.ChannelID); err != nil {
		return nil, cmdkit.AsUsage(err)
	}
	who, from := slackpost.Escape(slackpost.FormatNumber(num)), slackpost.Escape(slackpost.FormatNumber(o.From))
	if verb == "optout" {
		added, err := s.Bridge.ManualOptOut(ctx, o.From, num, req.UserID)
		if err != nil {
			return nil, err
		}
		if !added {
			return slackin.Ephemeral(fmt.Sprintf("%s has opted out of %s already; nothing changed.", who, from)), nil
		}
		s.AdminChange(ctx, req.UserID, fmt.Sprintf("recorded that %s opted out of %s", slackpost.FormatNumber(num), slackpost.FormatNumber(o.From)))
		return slackin.Ephemeral(fmt.Sprintf("Recorded: %s opted out of %s (by you). smsbridge will not text them from it until they opt back in.", who, from)), nil
	}
	if ok, err := s.IsAdmin(ctx, req.UserID); err != nil || !ok {
		return slackin.Ephemeral("Sorry, only smsbridge admins may record an opt-in: it allows texting someone who opted out. The person can also text START."), nil
	}
	lifted, err := s.Bridge.ManualOptIn(ctx, o.From, num, req.UserID)
	if err != nil {
		return nil, err
	}
	if !lifted {
		return slackin.Ephemeral(fmt.Sprintf("%s has no opt-out from %s to lift; nothing changed.", who, from)), nil
	}
	s.AdminChange(ctx, req.UserID, fmt.Sprintf("recorded that %s opted back in to %s", slackpost.FormatNumber(num), slackpost.FormatNumber(o.From)))
	return slackin.Ephemeral(fmt.Sprintf("Recorded: %s opted back in to %s (by you).", who, from)), nil
}

func (s *commands) consentExport(ctx context.Context, user string) (*slack.Msg, error) {
	if ok, err := s.IsAdmin(ctx, user); err != nil || !ok {
		return slackin.Ephemeral("Sorry, `/sms consent export` is for smsbridge admins. `/sms consent <number>` shows one number's history."), nil
	}
	name := "smsbridge-consent-" + s.Now().UTC().Format("2006-01-02") + ".csv"
	err := s.uploadToDM(ctx, user, name, "Every opt-out and opt-in smsbridge has recorded, oldest first.", func(w io.Writer) error {
		return s.Bridge.WriteConsentCSV(ctx, w)
	})
	if err != nil {
		return s.exportFailed(err), nil
	}
	return slackin.Ephemeral("The consent record is in your direct messages with smsbridge (" + name + ")."), nil
}

func (s *commands) runExport(ctx context.Context, req *slackin.CommandRequest) (*slack.Msg, error) {
	nums, rest, err := cmdkit.TakeNumbers(req.Rest, s.Region, false)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(rest) != "" {
		return nil, slackin.Usagef("Give one number.")
	}
	num, n := nums[0], 0
	name := "smsbridge-transcript-" + strings.TrimPrefix(string(num), "+") + "-" + s.Now().UTC().Format("2006-01-02") + ".csv"
	err = s.uploadToDM(ctx, req.UserID, name, "Transcript of "+slackpost.FormatNumber(num)+": every message, both directions, oldest first.", func(w io.Writer) error {
		var err error
		n, err = s.Bridge.WriteTranscript(ctx, w, num)
		return err
	})
	if err != nil {
		return s.exportFailed(err), nil
	}
	return slackin.Ephemeral(fmt.Sprintf("The transcript of %s (%d messages) is in your direct messages with smsbridge (%s).",
		slackpost.Escape(slackpost.FormatNumber(num)), n, name)), nil
}

// slackUpload marks a failure of the Slack side of an export.
type slackUpload struct{ err error }

func (e *slackUpload) Error() string { return e.err.Error() }
func (e *slackUpload) Unwrap() error { return e.err }

func (s *commands) exportFailed(err error) *slack.Msg {
	var su *slackUpload
	if errors.As(err, &su) {
		return slackin.Ephemeral("The export did not reach your direct messages: " + slackpost.Escape(s.SlackReason(err)) + ".")
	}
	s.Log.Error("export failed", "err", err)
	return slackin.Ephemeral("The export could not be written: " + slackpost.Escape(bridge.Explain(err)) + ".")
}

// uploadToDM writes a file with write into a temporary file, then uploads
// it into user's direct message with smsbridge (conversations.open, then
// files.getUploadURLExternal and files.completeUploadExternal).
func (s *commands) uploadToDM(ctx context.Context, user, name, comment string, write func(io.Writer) error) error {
	f, err := os.CreateTemp("", "smsbridge-export-*.csv")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	w := bufio.NewWriter(f)
	if err := write(w); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	size, err := f.Seek(0, io.SeekCurrent)
	if err != nil {
		return err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	dm, _, _, err := s.Slack.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{user}})
	if err != nil {
		return &slackUpload{fmt.Errorf("open DM: %w", err)}
	}
	_, err = s.Slack.UploadFileContext(ctx, slack.UploadFileParameters{Reader: f, FileSize: int(size), Filename: name, Title: name,
		InitialComment: slackpost.Escape(comment), Channel: dm.ID})
	if err != nil {
		return &slackUpload{err}
	}
	return nil
}
