package fakeslack_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/smsbridge/smsbridge/internal/fakeslack"
	"github.com/smsbridge/smsbridge/internal/slacklimits"
)

func TestPostMessageAndThreadReplyAreRecorded(t *testing.T) {
	srv := fakeslack.New(t, fakeslack.WithPostRate(100)) // two posts at once: the rate is not what this tests
	c := srv.Client()
	ctx := context.Background()

	_, parent, err := c.PostMessageContext(ctx, "C1",
		slack.MsgOptionText("hello", false),
		slack.MsgOptionBlocks(slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "*hi*", false, true), nil, nil)),
		slack.MsgOptionLinkNames(false))
	if err != nil {
		t.Fatal(err)
	}
	_, reply, err := c.PostMessageContext(ctx, "C1", slack.MsgOptionText("in thread", false), slack.MsgOptionTS(parent))
	if err != nil {
		t.Fatal(err)
	}
	if parent != "1700000000.000100" || reply <= parent {
		t.Errorf("ts = %q then %q, want unique increasing from 1700000000.000100", parent, reply)
	}

	msgs := srv.Messages("C1")
	if len(msgs) != 1 || msgs[0].Text != "hello" || msgs[0].TS != parent || msgs[0].Params.Get("link_names") != "false" {
		t.Fatalf("Messages = %+v", msgs)
	}
	if got := msgs[0].BlockText(); got != "*hi*" {
		t.Errorf("BlockText = %q", got)
	}
	blocks, err := msgs[0].SlackBlocks()
	if err != nil || len(blocks.BlockSet) != 1 {
		t.Errorf("SlackBlocks = %v, %v", blocks, err)
	}
	replies := srv.ThreadReplies("C1", parent)
	if len(replies) != 1 || replies[0].Text != "in thread" || replies[0].ThreadTS != parent {
		t.Fatalf("ThreadReplies = %+v", replies)
	}
	if n := len(srv.Calls("chat.postMessage")); n != 2 {
		t.Errorf("calls = %d, want 2", n)
	}
	if tok := srv.Calls("chat.postMessage")[0].Params.Get("token"); tok != "" {
		t.Errorf("token recorded in params: %q", tok)
	}
}

// A thread reply sent with reply_broadcast is in its thread and in the
// channel too, as Slack's "also send to channel" is; a plain reply is only
// in the thread, and reply_broadcast on a top-level post changes nothing.
func TestBroadcastReplyIsAlsoShownInTheChannel(t *testing.T) {
	srv := fakeslack.New(t, fakeslack.WithPostRate(100)) // posts in a row: the rate is not what this tests
	c := srv.Client()
	ctx := context.Background()
	_, parent, err := c.PostMessageContext(ctx, "C1", slack.MsgOptionText("header", false))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.PostMessageContext(ctx, "C1", slack.MsgOptionText("quiet", false), slack.MsgOptionTS(parent)); err != nil {
		t.Fatal(err)
	}
	_, loud, err := c.PostMessageContext(ctx, "C1", slack.MsgOptionText("loud", false), slack.MsgOptionTS(parent), slack.MsgOptionBroadcast())
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.PostMessageContext(ctx, "C1", slack.MsgOptionText("top", false), slack.MsgOptionBroadcast()); err != nil {
		t.Fatal(err)
	}
	if r := srv.ThreadReplies("C1", parent); len(r) != 2 || r[1].Text != "loud" || !r[1].Broadcast || r[0].Broadcast {
		t.Fatalf("thread replies %+v", r)
	}
	var seen []string
	for _, m := range srv.Channel("C1") {
		seen = append(seen, m.Text)
	}
	if strings.Join(seen, ",") != "header,loud,top" {
		t.Fatalf("the channel shows %q, want header,loud,top", seen)
	}
	if b := srv.Broadcasts("C1"); len(b) != 1 || b[0].TS != loud {
		t.Fatalf("broadcasts %+v", b)
	}
	if m := srv.Messages("C1"); len(m) != 2 {
		t.Fatalf("top-level messages %d, want 2 (a broadcast reply stays a reply)", len(m))
	}
}

func TestUpdateReplacesMessage(t *testing.T) {
	srv := fakeslack.New(t)
	c := srv.Client()
	ctx := context.Background()
	_, ts, _ := c.PostMessageContext(ctx, "C1", slack.MsgOptionText("v1", false))
	if _, _, _, err := c.UpdateMessageContext(ctx, "C1", ts, slack.MsgOptionText("v2", false)); err != nil {
		t.Fatal(err)
	}
	m, ok := srv.Message("C1", ts)
	if !ok || m.Text != "v2" || m.Updates != 1 {
		t.Errorf("message = %+v", m)
	}
	_, _, _, err := c.UpdateMessageContext(ctx, "C1", "1.2", slack.MsgOptionText("x", false))
	if !isSlackError(err, "message_not_found") {
		t.Errorf("update of unknown message: %v", err)
	}
}

func TestEphemeral(t *testing.T) {
	srv := fakeslack.New(t)
	ts, err := srv.Client().PostEphemeralContext(context.Background(), "C1", "U9", slack.MsgOptionText("only you", false))
	if err != nil || ts == "" {
		t.Fatal(ts, err)
	}
	e := srv.Ephemerals("C1")
	if len(e) != 1 || e[0].User != "U9" || e[0].Text != "only you" {
		t.Errorf("Ephemerals = %+v", e)
	}
	if len(srv.Messages("C1")) != 0 {
		t.Error("ephemeral recorded as a channel message")
	}
}

func isSlackError(err error, code string) bool {
	var se slack.SlackErrorResponse
	return errors.As(err, &se) && se.Err == code
}

func TestReactionsBehaveLikeSlack(t *testing.T) {
	srv := fakeslack.New(t)
	c := srv.Client()
	ctx := context.Background()
	ref := slack.NewRefToMessage("C1", "1700000000.000100")
	if err := c.AddReactionContext(ctx, "eyes", ref); err != nil {
		t.Fatal(err)
	}
	if err := c.AddReactionContext(ctx, "eyes", ref); !isSlackError(err, "already_reacted") {
		t.Errorf("second add: %v, want already_reacted", err)
	}
	if got := srv.Reactions("C1", "1700000000.000100"); len(got) != 1 || got[0] != "eyes" {
		t.Errorf("Reactions = %v", got)
	}
	if err := c.RemoveReactionContext(ctx, "eyes", ref); err != nil {
		t.Fatal(err)
	}
	if err := c.RemoveReactionContext(ctx, "eyes", ref); !isSlackError(err, "no_reaction") {
		t.Errorf("second remove: %v, want no_reaction", err)
	}
}

func TestUploadLandsInThreadWithBytes(t *testing.T) {
	srv := fakeslack.New(t)
	c := srv.Client()
	content := "\x89PNG\r\n\x00binary"
	f, err := c.UploadFileContext(context.Background(), slack.UploadFileParameters{
		Reader: strings.NewReader(content), FileSize: len(content), Filename: "pic.png",
		Title: "A picture", Channel: "C1", ThreadTimestamp: "1700000000.000100", InitialComment: "from +1",
	})
	if err != nil {
		t.Fatal(err)
	}
	ups := srv.Uploads()
	if len(ups) != 1 {
		t.Fatalf("Uploads = %+v", ups)
	}
	u := ups[0]
	if u.FileID != f.ID || string(u.Content) != content || u.Title != "A picture" || u.Channel != "C1" ||
		u.ThreadTS != "1700000000.000100" || u.Filename != "pic.png" || u.Length != len(content) || u.InitialComment != "from +1" {
		t.Errorf("upload = %+v", u)
	}
	replies := srv.ThreadReplies("C1", "1700000000.000100")
	if len(replies) != 1 || len(replies[0].Files) != 1 || replies[0].Files[0] != f.ID {
		t.Errorf("file share message = %+v", replies)
	}
}

func TestFailNext(t *testing.T) {
	ctx := context.Background()
	t.Run("500", func(t *testing.T) {
		srv := fakeslack.New(t)
		srv.FailNext("chat.postMessage", 1, fakeslack.HTTPError(500))
		_, _, err := srv.Client().PostMessageContext(ctx, "C1", slack.MsgOptionText("x", false))
		var sc slack.StatusCodeError
		if !errors.As(err, &sc) || sc.Code != 500 {
			t.Fatalf("err = %v, want StatusCodeError 500", err)
		}
		if _, _, err := srv.Client().PostMessageContext(ctx, "C1", slack.MsgOptionText("x", false)); err != nil {
			t.Fatalf("second call: %v", err)
		}
		calls := srv.Calls("chat.postMessage")
		if len(calls) != 2 || calls[0].Failure == nil || calls[1].Failure != nil || len(srv.Messages("C1")) != 1 {
			t.Errorf("calls = %+v, messages = %d", calls, len(srv.Messages("C1")))
		}
	})
	t.Run("429", func(t *testing.T) {
		srv := fakeslack.New(t)
		srv.FailNext("chat.postMessage", 1, fakeslack.RateLimited(7))
		_, _, err := srv.Client().PostMessageContext(ctx, "C1", slack.MsgOptionText("x", false))
		var rl *slack.RateLimitedError
		if !errors.As(err, &rl) || rl.RetryAfter != 7*time.Second {
			t.Fatalf("err = %v, want RateLimitedError 7s", err)
		}
	})
	t.Run("ok false", func(t *testing.T) {
		srv := fakeslack.New(t)
		srv.FailNext("reactions.add", 1, fakeslack.SlackError("channel_not_found"))
		err := srv.Client().AddReactionContext(ctx, "x", slack.NewRefToMessage("C1", "1.1"))
		if !isSlackError(err, "channel_not_found") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("disconnect", func(t *testing.T) {
		srv := fakeslack.New(t)
		srv.FailNext("auth.test", 1, fakeslack.Disconnect())
		if _, err := srv.Client().AuthTestContext(ctx); err == nil {
			t.Fatal("want a network error")
		}
	})
}

func TestBadTokenIsInvalidAuth(t *testing.T) {
	srv := fakeslack.New(t)
	c := slack.New("xoxb-wrong", slack.OptionAPIURL(srv.URL()))
	if _, err := c.AuthTestContext(context.Background()); !isSlackError(err, "invalid_auth") {
		t.Errorf("err = %v, want invalid_auth", err)
	}
	resp, err := srv.Client().AuthTestContext(context.Background())
	if err != nil || resp.UserID != fakeslack.BotUserID || resp.BotID != fakeslack.BotID {
		t.Errorf("auth.test = %+v, %v", resp, err)
	}
}

func TestInvalidBlocksAreRejected(t *testing.T) {
	srv := fakeslack.New(t)
	long := strings.Repeat("x", 151)
	_, _, err := srv.Client().PostMessageContext(context.Background(), "C1",
		slack.MsgOptionBlocks(slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, long, false, false))))
	if !isSlackError(err, "invalid_blocks") {
		t.Errorf("err = %v, want invalid_blocks", err)
	}
}

func TestUsersInfoAndConversationsInfo(t *testing.T) {
	srv := fakeslack.New(t)
	srv.AddUser(slack.User{ID: "U1", Name: "ann", TZ: "Europe/Paris", TZOffset: 3600, IsAdmin: true})
	c := srv.Client()
	ctx := context.Background()
	u, err := c.GetUserInfoContext(ctx, "U1")
	if err != nil || u.TZ != "Europe/Paris" || !u.IsAdmin || u.IsOwner || u.TZOffset != 3600 {
		t.Errorf("users.info = %+v, %v", u, err)
	}
	if _, err := c.GetUserInfoContext(ctx, "U2"); !isSlackError(err, "user_not_found") {
		t.Errorf("unknown user: %v", err)
	}
	ch, err := c.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: "C7"})
	if err != nil || ch.ID != "C7" || !ch.IsMember {
		t.Errorf("conversations.info = %+v, %v", ch, err)
	}
	var closed slack.Channel
	closed.ID, closed.IsMember = "C8", false
	srv.AddChannel(closed)
	if _, _, err := c.PostMessageContext(ctx, "C8", slack.MsgOptionText("x", false)); !isSlackError(err, "not_in_channel") {
		t.Errorf("post to channel without the bot: %v", err)
	}
}

func TestViews(t *testing.T) {
	srv := fakeslack.New(t)
	c := srv.Client()
	ctx := context.Background()
	home := slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: []slack.Block{
		slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "home", false, false), nil, nil)}}}
	if _, err := c.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: "U1", View: home}); err != nil {
		t.Fatal(err)
	}
	if v, ok := srv.HomeView("U1"); !ok || v.Type != "home" || !strings.Contains(string(v.JSON), `"home"`) {
		t.Errorf("HomeView = %+v", v)
	}
	modal := slack.ModalViewRequest{Type: slack.VTModal, Title: slack.NewTextBlockObject(slack.PlainTextType, "Send", false, false),
		Blocks: slack.Blocks{BlockSet: []slack.Block{slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "m", false, false), nil, nil)}}}
	resp, err := c.OpenViewContext(ctx, "trig", modal)
	if err != nil || resp.ID == "" || resp.Hash == "" {
		t.Fatalf("views.open = %+v, %v", resp, err)
	}
	if _, err := c.UpdateViewContext(ctx, modal, "", "stale-hash", resp.ID); !isSlackError(err, "hash_conflict") {
		t.Errorf("stale hash: %v", err)
	}
	if _, err := c.UpdateViewContext(ctx, modal, "", resp.Hash, resp.ID); err != nil {
		t.Errorf("views.update: %v", err)
	}
	if vs := srv.Views(); len(vs) != 2 || vs[1].Updates != 1 || vs[1].TriggerID != "trig" {
		t.Errorf("Views = %+v", vs)
	}
}

func TestResponseURLPostsAreRecorded(t *testing.T) {
	srv := fakeslack.New(t)
	u := srv.ResponseURL()
	ctx := context.Background()
	if err := slack.PostWebhookContext(ctx, u, &slack.WebhookMessage{Text: "done", ResponseType: "ephemeral"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := srv.Client().PostMessageContext(ctx, "", slack.MsgOptionResponseURL(u, slack.ResponseTypeInChannel),
		slack.MsgOptionText("second", false), slack.MsgOptionReplaceOriginal(u)); err != nil {
		t.Fatal(err)
	}
	posts := srv.ResponsePosts(u)
	if len(posts) != 2 || posts[0].Text != "done" || posts[0].ResponseType != "ephemeral" ||
		posts[1].Text != "second" || posts[1].ResponseType != "in_channel" || !posts[1].ReplaceOriginal {
		t.Errorf("ResponsePosts = %+v", posts)
	}
}

func TestWaitForSeesAsyncPosts(t *testing.T) {
	srv := fakeslack.New(t)
	go func() {
		time.Sleep(10 * time.Millisecond)
		_, _, _ = srv.Client().PostMessageContext(context.Background(), "C1", slack.MsgOptionText("late", false))
	}()
	srv.WaitFor(func() bool { return len(srv.Messages("C1")) == 1 }, 5*time.Second)
	if srv.Await(func() bool { return len(srv.Messages("C2")) == 1 }, 30*time.Millisecond) {
		t.Error("Await held for a condition that never becomes true")
	}
}

func TestPermalink(t *testing.T) {
	srv := fakeslack.New(t)
	c := srv.Client()
	ctx := context.Background()
	_, ts, _ := c.PostMessageContext(ctx, "C1", slack.MsgOptionText("x", false))
	link, err := c.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: "C1", Ts: ts})
	if err != nil || link != fakeslack.Permalink("C1", ts) || !strings.HasSuffix(link, "/archives/C1/p1700000000000100") {
		t.Errorf("permalink = %q, %v", link, err)
	}
}

// Every payload the bot can send is held to Slack's limits: a null field,
// too many blocks for its kind, a select of over 100 options, a response_url
// post over the limits.
func TestPayloadLimitsHoldForEveryKindOfPayload(t *testing.T) {
	srv := fakeslack.New(t, fakeslack.WithPostRate(100)) // posts in a row: the rate is not what this tests
	ctx := context.Background()
	section := func(s string) slack.Block {
		return slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, s, false, false), nil, nil)
	}
	many := func(n int) []slack.Block {
		var bs []slack.Block
		for i := range n {
			bs = append(bs, section(strings.Repeat("x", i+1)))
		}
		return bs
	}
	// A null field.
	_, _, err := srv.Client().PostMessageContext(ctx, "C1", slack.MsgOptionText("t", false),
		slack.MsgOptionBlocks(slack.NewSectionBlock(nil, []*slack.TextBlockObject{nil}, nil)))
	if !isSlackError(err, "invalid_blocks") {
		t.Errorf("a null field: err = %v, want invalid_blocks", err)
	}
	// A view takes 100 blocks, not 101; a message 50.
	home := func(n int) error {
		_, err := srv.Client().PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: "U1",
			View: slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: many(n)}}})
		return err
	}
	if err := home(100); err != nil {
		t.Errorf("a 100-block App Home was refused: %v", err)
	}
	if err := home(101); err == nil {
		t.Errorf("a 101-block App Home was taken")
	}
	// A select of 101 options.
	var opts []*slack.OptionBlockObject
	for i := range 101 {
		opts = append(opts, slack.NewOptionBlockObject(strings.Repeat("v", 1)+string(rune('a'+i%26)), slack.NewTextBlockObject(slack.PlainTextType, "o", false, false), nil))
	}
	sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, slack.NewTextBlockObject(slack.PlainTextType, "pick", false, false), "s", opts...)
	_, _, err = srv.Client().PostMessageContext(ctx, "C1", slack.MsgOptionText("t", false), slack.MsgOptionBlocks(slack.NewActionBlock("", sel)))
	if !isSlackError(err, "invalid_blocks") {
		t.Errorf("101 options: err = %v, want invalid_blocks", err)
	}
	// response_url posts are held to the message limits and not recorded.
	url := srv.ResponseURL()
	err = slack.PostWebhookContext(ctx, url, &slack.WebhookMessage{Text: "t", Blocks: &slack.Blocks{BlockSet: many(51)}})
	if err == nil || len(srv.ResponsePosts(url)) != 0 {
		t.Errorf("a 51-block response_url post was taken: %v", err)
	}
	err = slack.PostWebhookContext(ctx, url, &slack.WebhookMessage{Text: strings.Repeat("y", slacklimits.MaxText+1)})
	if err == nil || len(srv.ResponsePosts(url)) != 0 {
		t.Errorf("an over-long response_url post was taken: %v", err)
	}
}
