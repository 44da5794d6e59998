package smscmd

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/smsbridge/smsbridge/bridge"
	"github.com/smsbridge/smsbridge/slackpost"
	"github.com/smsbridge/smsbridge/smscmd/cmdkit"
)

// The compose modal's "Saved reply" select: picking one fills the Message
// field from the To and From typed so far (views.update), and the text
// stays editable. Slack keeps what was typed in a field whose block id is
// unchanged, so each fill gives the field a new block id (ComposeText_…);
// the submission reads whichever it is.
const (
	ComposeReplyAction = "sms_compose_reply"
	ComposeReply       = "saved_reply"
	composeReplyNote   = "saved_reply_note"
)

// composeTextState is what the Message field shows when the view is built.
type composeTextState struct {
	note  string // the segment note
	block string // the field's block id; "" is ComposeText
	value string // its initial text
	// replyNote says why a picked reply could not be filled.
	replyNote string
}

// composeTextBlock is the block id the Message field has in cb's view.
func composeTextBlock(cb *slack.InteractionCallback) string {
	if cb.View.State != nil {
		for id := range cb.View.State.Values {
			if id == ComposeText || strings.HasPrefix(id, ComposeText+"_") {
				return id
			}
		}
	}
	return ComposeText
}

// composeReplyBlocks is the select of saved replies (none when there are
// none), and the note of a reply that could not be filled.
func (s *sms) composeReplyBlocks(ctx context.Context, t composeTextState) []slack.Block {
	replies, err := s.Bridge.SavedReplies(ctx)
	if err != nil || len(replies) == 0 {
		if err != nil {
			s.Log.Warn("saved replies for the compose form", "err", err)
		}
		return nil
	}
	opts := make([]*slack.OptionBlockObject, len(replies))
	for i, r := range replies {
		opts[i] = slack.NewOptionBlockObject(r.Name, slackpost.Plain(r.Name), slackpost.Plain(clip(r.Text, 75)))
	}
	sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, slackpost.Plain("Pick a saved reply"), ComposeReplyAction, opts...)
	pick := slack.NewInputBlock(ComposeReply, slackpost.Plain("Saved reply (optional)"), slackpost.Plain("Fills the message from To and From; edit it before sending if you like."), sel)
	pick.Optional, pick.DispatchAction = true, true
	out := []slack.Block{pick}
	if t.replyNote != "" {
		out = append(out, slack.NewContextBlock(composeReplyNote, slackpost.Mrkdwn(":warning: "+slackpost.Escape(t.replyNote))))
	}
	return out
}

// onComposeReply fills the picked saved reply into the Message field.
func (s *sms) onComposeReply(ctx context.Context, cb *slack.InteractionCallback, a *slack.BlockAction) error {
	channel := cb.View.PrivateMetadata
	t := composeTextState{block: composeTextBlock(cb)}
	t.value = cmdkit.InputValue(cb, t.block, ComposeTextAction)
	text, err := s.composeFill(ctx, cb, a.SelectedOption.Value)
	var re *bridge.ReplyError
	switch {
	case errors.As(err, &re):
		t.replyNote = re.Reason
	case err != nil:
		return err
	default:
		h := fnv.New32a()
		h.Write([]byte(text))
		t.block, t.value = fmt.Sprintf("%s_%x", ComposeText, h.Sum32()), text
	}
	t.note = SegmentNote(t.value)
	view, err := s.composeViewWith(ctx, channel, t)
	if err != nil {
		return err
	}
	_, err = s.Slack.UpdateViewContext(ctx, view, "", cb.View.Hash, cb.View.ID)
	return err
}

// composeFill fills reply for the To and From the form holds now; what is
// missing for it is a *bridge.ReplyError.
func (s *sms) composeFill(ctx context.Context, cb *slack.InteractionCallback, reply string) (string, error) {
	var to []bridge.E164
	for _, part := range strings.Split(cmdkit.InputValue(cb, ComposeTo, ComposeTo), ",") {
		if n, err := cmdkit.ParseNumber(part, s.Region); err == nil {
			to = append(to, n)
		}
	}
	if len(to) == 0 {
		return "", &bridge.ReplyError{Reason: "Write who it goes to first: a saved reply is filled from the recipient."}
	}
	var o cmdkit.SendOpts
	if other := cmdkit.InputValue(cb, ComposeFromOther, ComposeFromOther); other != "" {
		o.From, o.Kind, _ = cmdkit.ParseSender(other, s.Region)
	} else if sel := cmdkit.InputValue(cb, ComposeFrom, ComposeFrom); sel == composePool {
		o.Pool = true
	} else if sel != "" {
		o.From = bridge.E164(sel)
	} else if err := s.ResolveFrom(ctx, &o, cb.View.PrivateMetadata); err != nil {
		o.From = "" // several or none: {our_number} has no value yet, and says so
	}
	return s.Bridge.FillSavedReply(ctx, reply, bridge.ReplyContext{From: o.From, To: to, AgentID: cb.User.ID})
}
