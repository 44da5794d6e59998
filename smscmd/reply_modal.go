package smscmd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/smsbridge/smsbridge/bridge"
	"github.com/smsbridge/smsbridge/slackin"
	"github.com/smsbridge/smsbridge/slackpost"
	"github.com/smsbridge/smsbridge/smscmd/cmdkit"
)

// The "Send saved reply" message shortcut: on any message of a
// conversation's thread it opens a modal with the saved replies; picking
// one fills the text from the conversation (still editable), and Send
// queues it in the outbox to that conversation. A slash command cannot be
// used for this: Slack does not say which thread it was typed in.
const (
	ReplyShortcutID = "sms_send_saved_reply" // manifest.yml's callback_id
	ReplyModalID    = "sms_reply_modal"
	ReplyPickAction = "sms_reply_pick"

	replyPickBlock  = "reply_pick"
	replyTextBlock  = "reply_text" // + "_" + the reply picked, so a new fill replaces what Slack keeps
	ReplyTextAction = "reply_text" // the Message field
	replyNoteBlock  = "reply_note"
)

// replyThread is the modal's private metadata: the thread it answers.
type replyThread struct {
	Channel string `json:"c"`
	TS      string `json:"t"`
}

func (s *sms) registerReplyShortcut() {
	s.In.OnShortcut(ReplyShortcutID, s.onReplyShortcut)
	s.In.OnAction(ReplyPickAction, s.onReplyPick)
	s.In.OnSubmit(ReplyModalID, s.onReplySubmit)
}

func (s *sms) onReplyShortcut(ctx context.Context, cb *slack.InteractionCallback) error {
	ts := cb.Message.ThreadTimestamp
	if ts == "" {
		ts = cb.Message.Timestamp
	}
	at := replyThread{Channel: cb.Channel.ID, TS: ts}
	conv, ok, err := s.Bridge.ConversationInThread(ctx, bridge.ThreadRef{Channel: at.Channel, TS: at.TS})
	if err != nil {
		return err
	}
	if !ok {
		return s.Respond(ctx, cb, slackin.Ephemeral("That message is not in a conversation's thread (or the conversation has moved on to a newer thread): use *Send saved reply* on a message of its current thread."))
	}
	replies, err := s.Bridge.SavedReplies(ctx)
	if err != nil {
		return err
	}
	if len(replies) == 0 {
		return s.Respond(ctx, cb, slackin.Ephemeral("No saved replies yet. Add one: `/sms reply add hours We are open 9–5, {first_name}.`"))
	}
	view := replyView(at, conv, replies, "", "", "")
	if _, err := s.Slack.OpenViewContext(ctx, cb.TriggerID, view); err != nil {
		return s.Respond(ctx, cb, slackin.Ephemeral("Could not open the form: "+slackpost.Escape(s.SlackReason(err))+"."))
	}
	return nil
}

// replyView is the modal: who it goes to, the select, the text (filled
// from picked), and a note (why a reply could not be filled).
func replyView(at replyThread, conv bridge.ThreadConversation, replies []bridge.SavedReply, picked, text, note string) slack.ModalViewRequest {
	meta, _ := json.Marshal(at)
	var opts []*slack.OptionBlockObject
	var initial *slack.OptionBlockObject
	for _, r := range replies {
		o := slack.NewOptionBlockObject(r.Name, slackpost.Plain(r.Name), slackpost.Plain(clip(r.Text, 75)))
		if r.Name == picked {
			initial = o
		}
		opts = append(opts, o)
	}
	sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, slackpost.Plain("Pick a saved reply"), ReplyPickAction, opts...)
	sel.InitialOption = initial
	pick := slack.NewInputBlock(replyPickBlock, slackpost.Plain("Saved reply"), slackpost.Plain("Its variables are filled from this conversation; edit the text before sending if you like."), sel)
	pick.DispatchAction = true
	textEl := slack.NewPlainTextInputBlockElement(slackpost.Plain("Pick a saved reply, or write"), ReplyTextAction)
	textEl.Multiline, textEl.MaxLength, textEl.InitialValue = true, bridge.MaxReplyText, text
	textBlock := slack.NewInputBlock(replyTextBlock+"_"+picked, slackpost.Plain("Message"), nil, textEl)
	to := fmt.Sprintf("To %s from %s.", slackpost.FormatNumbers(conv.Remotes), slackpost.FormatNumber(conv.Our))
	blocks := []slack.Block{slack.NewContextBlock("", slackpost.Mrkdwn(slackpost.Escape(to))), pick, textBlock}
	if note != "" {
		blocks = append(blocks, slack.NewContextBlock(replyNoteBlock, slackpost.Mrkdwn(":warning: "+slackpost.Escape(note))))
	}
	return slack.ModalViewRequest{Type: slack.VTModal, CallbackID: ReplyModalID, Title: slackpost.Plain("Send saved reply"),
		Submit: slackpost.Plain("Send"), Close: slackpost.Plain("Cancel"), PrivateMetadata: string(meta), Blocks: slack.Blocks{BlockSet: blocks}}
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// replyModalThread reads the modal's thread and its conversation.
func (s *sms) replyModalThread(ctx context.Context, cb *slack.InteractionCallback) (replyThread, bridge.ThreadConversation, bool, error) {
	var at replyThread
	if err := json.Unmarshal([]byte(cb.View.PrivateMetadata), &at); err != nil {
		return at, bridge.ThreadConversation{}, false, nil
	}
	conv, ok, err := s.Bridge.ConversationInThread(ctx, bridge.ThreadRef{Channel: at.Channel, TS: at.TS})
	return at, conv, ok, err
}

// onReplyPick fills the picked reply into the text (views.update).
func (s *sms) onReplyPick(ctx context.Context, cb *slack.InteractionCallback, a *slack.BlockAction) error {
	at, conv, ok, err := s.replyModalThread(ctx, cb)
	if err != nil || !ok {
		return err
	}
	name := a.SelectedOption.Value
	text, note := "", ""
	filled, err := s.Bridge.FillSavedReply(ctx, name, bridge.ReplyContext{From: conv.Our, To: conv.Remotes, AgentID: cb.User.ID})
	var re *bridge.ReplyError
	switch {
	case errors.As(err, &re):
		note = re.Reason
	case err != nil:
		return err
	default:
		text = filled
	}
	replies, err := s.Bridge.SavedReplies(ctx)
	if err != nil {
		return err
	}
	_, err = s.Slack.UpdateViewContext(ctx, replyView(at, conv, replies, name, text, note), "", cb.View.Hash, cb.View.ID)
	return err
}

// replyModalText is the Message field, whichever reply filled it.
func replyModalText(cb *slack.InteractionCallback) (block, text string) {
	for id, actions := range cb.View.State.Values {
		if strings.HasPrefix(id, replyTextBlock) {
			return id, strings.TrimSpace(actions[ReplyTextAction].Value)
		}
	}
	return replyTextBlock + "_", ""
}

func (s *sms) onReplySubmit(ctx context.Context, cb *slack.InteractionCallback) (*slack.ViewSubmissionResponse, error) {
	block, text := replyModalText(cb)
	at, conv, ok, err := s.replyModalThread(ctx, cb)
	switch {
	case err != nil:
		return nil, err
	case !ok:
		return slack.NewErrorsViewSubmissionResponse(map[string]string{block: "This conversation has moved to a newer thread; send from there."}), nil
	case text == "":
		return slack.NewErrorsViewSubmissionResponse(map[string]string{block: "Pick a saved reply or write the message."}), nil
	}
	in := cmdkit.SendInput{Key: bridge.ModalSendKey(cb.View.ID), Kind: conv.Kind, Opts: cmdkit.SendOpts{From: conv.Our, Kind: cmdkit.SenderNumber},
		To: conv.Remotes, Text: text, User: cb.User.ID, Channel: at.Channel}
	// Queued, it shows in the thread, with its state, like any send.
	_, resp, err := s.submitSend(ctx, &in, block, block)
	return resp, err
}
