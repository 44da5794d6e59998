package ournumbers

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/smsbridge/smsbridge/bridge"
	"github.com/smsbridge/smsbridge/slackin"
	"github.com/smsbridge/smsbridge/slackpost"
	"github.com/smsbridge/smsbridge/smscmd/cmdkit"
)

// /sms hours: show, and (admins) set, each number's business hours, its
// holidays and the auto-reply sent outside them. The rules are the
// bridge's (bridge/clock/hours.go); this file reads the command and words the
// answer.

const hoursUsage = "/sms hours [<our-number> [set <days> <HH:MM-HH:MM>… <time zone> | holiday [remove] <YYYY-MM-DD> | reply <text> | reply off | off]]"

func (s *commands) registerHours() {
	s.Cmds.Register(slackin.Command{
		Name:    "hours",
		Usage:   hoursUsage,
		Example: "/sms hours +18445550001 set mon-fri 09:00-17:30 America/New_York",
		Help:    "business hours per number, holidays, and the auto-reply outside them (changing them: admins)",
		Run:     s.runHours,
	})
}

func (s *commands) runHours(ctx context.Context, req *slackin.CommandRequest) (*slack.Msg, error) {
	if strings.TrimSpace(req.Rest) == "" {
		return s.showAllHours(ctx)
	}
	nums, rest, err := cmdkit.TakeNumbers(req.Rest, s.Region, false)
	if err != nil {
		return nil, err
	}
	our := nums[0]
	verb, args := cmdkit.NextToken(strings.TrimSpace(rest))
	verb = strings.ToLower(verb)
	if verb == "" {
		h, err := s.Bridge.HoursOf(ctx, our)
		if err != nil {
			return nil, err
		}
		return slackin.Ephemeral(s.describeHours(h)), nil
	}
	switch verb {
	case "set", "holiday", "reply", "off":
	default:
		return nil, slackin.Usagef("`%s` is not something /sms hours does: use set, holiday, reply or off.", slackpost.Escape(verb))
	}
	if ok, err := s.IsAdmin(ctx, req.UserID); err != nil {
		return slackin.Ephemeral("Could not check your permissions with Slack; please try again."), nil
	} else if !ok {
		return slackin.Ephemeral("Sorry, changing business hours is for smsbridge admins; anyone may look at them with `/sms hours`. Ask an admin if this needs doing."), nil
	}
	done, err := s.changeHours(ctx, our, verb, strings.TrimSpace(args), req.UserID)
	if errors.Is(err, bridge.ErrWeek) {
		return nil, slackin.Usagef("%s", strings.TrimPrefix(err.Error(), bridge.ErrWeek.Error()+": "))
	}
	if err != nil {
		return nil, err
	}
	s.AdminChange(ctx, req.UserID, fmt.Sprintf("changed the business hours of %s: %s", our, done))
	h, err := s.Bridge.HoursOf(ctx, our)
	if err != nil {
		return nil, err
	}
	return slackin.Ephemeral(fmt.Sprintf("Done: %s.\n%s", slackpost.Escape(done), s.describeHours(h))), nil
}

// changeHours applies one admin change and says what it did.
func (s *commands) changeHours(ctx context.Context, our bridge.E164, verb, args, by string) (string, error) {
	switch verb {
	case "set":
		h, err := s.Bridge.SetHours(ctx, our, strings.Fields(args), by)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("open %s (%s)", h.Week, h.Loc), nil
	case "holiday":
		date, remove := args, false
		if w, rest := cmdkit.NextToken(args); strings.EqualFold(w, "remove") {
			date, remove = strings.TrimSpace(rest), true
		}
		if date == "" || strings.ContainsAny(date, " \t") {
			return "", fmt.Errorf("%w: give one date as YYYY-MM-DD, e.g. holiday 2026-12-25 (or holiday remove 2026-12-25)", bridge.ErrWeek)
		}
		if !remove {
			return "closed all day on " + date, s.Bridge.AddHoliday(ctx, our, date, by)
		}
		ok, err := s.Bridge.RemoveHoliday(ctx, our, date)
		if err == nil && !ok {
			return "", fmt.Errorf("%w: %s is not one of its holidays", bridge.ErrWeek, date)
		}
		return date + " is no longer a holiday", err
	case "reply":
		text := unquote(args)
		if text == "" {
			return "", fmt.Errorf("%w: give the auto-reply's text, e.g. reply \"We're closed; we answer from 9:00 on weekdays.\" (or reply off)", bridge.ErrWeek)
		}
		if strings.EqualFold(text, "off") {
			return "no auto-reply", s.Bridge.SetAutoReply(ctx, our, "", by)
		}
		return "auto-reply set", s.Bridge.SetAutoReply(ctx, our, text, by)
	}
	if args != "" {
		return "", fmt.Errorf("%w: off takes nothing after it", bridge.ErrWeek)
	}
	return "hours off (open at all times, no auto-reply, holidays forgotten)", s.Bridge.ClearHours(ctx, our)
}

// unquote takes the quotes off a text typed as "…" (Slack may make them
// curly).
func unquote(s string) string {
	s = strings.TrimSpace(s)
	for _, q := range [][2]string{{`"`, `"`}, {"“", "”"}, {"'", "'"}} {
		if len(s) >= len(q[0])+len(q[1]) && strings.HasPrefix(s, q[0]) && strings.HasSuffix(s, q[1]) {
			return strings.TrimSpace(s[len(q[0]) : len(s)-len(q[1])])
		}
	}
	return s
}

func (s *commands) showAllHours(ctx context.Context) (*slack.Msg, error) {
	all, err := s.Bridge.AllHours(ctx)
	if err != nil {
		return nil, err
	}
	if len(all) == 0 {
		return slackin.Ephemeral("No number has business hours: every number is open at all times and sends no auto-reply. An admin sets them with `/sms hours <our-number> set mon-fri 09:00-17:30 America/New_York`."), nil
	}
	lines := make([]string, 0, len(all))
	for _, h := range all {
		lines = append(lines, s.describeHours(h))
	}
	return slackin.Ephemeral(strings.Join(lines, "\n\n")), nil
}

// describeHours is one number's hours in words, with whether it is open
// now.
func (s *commands) describeHours(h *bridge.Hours) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*%s*: ", slackpost.Escape(slackpost.FormatNumber(h.Our)))
	now := s.Now()
	if !h.Set() {
		b.WriteString("no business hours set: open at all times.")
	} else {
		fmt.Fprintf(&b, "open %s (%s).", h.Week, h.Loc)
		if h.IsOpen(now) {
			b.WriteString(" Open now.")
		} else if next, ok := h.NextOpen(now); ok {
			fmt.Fprintf(&b, " Closed now; opens %s.", next.In(h.Loc).Format("Mon 2 Jan 15:04 MST"))
		} else {
			b.WriteString(" Closed now, and not open in the next year.")
		}
	}
	if len(h.Holidays) > 0 {
		fmt.Fprintf(&b, "\nHolidays: %s.", strings.Join(h.Holidays, ", "))
	}
	switch {
	case h.Reply == "":
		b.WriteString("\nNo auto-reply.")
	case !h.Set():
		fmt.Fprintf(&b, "\nAuto-reply (not sent until hours are set): %s", slackpost.Escape(h.Reply))
	default:
		fmt.Fprintf(&b, "\nAuto-reply outside these hours: %s", slackpost.Escape(h.Reply))
	}
	return b.String()
}
