package replies

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"

	"github.com/smsbridge/smsbridge/bridge/domain"
	"github.com/smsbridge/smsbridge/store"
)

// Saved replies: texts the team saved to send again, with variables filled
// from the conversation when one is used. Filling happens before the text
// reaches the outbox, so a variable with no value is refused before
// anything is sent, naming it; the filled text then takes the one way out
// like any other send.

// Saved is the team's saved replies.
type Saved struct {
	st    *store.Store
	names domain.UserNamer // fills {agent}; nil: it has no value
}

// New makes the saved replies on st.
func New(st *store.Store) *Saved { return &Saved{st: st} }

// SetNamer sets who names the teammate of {agent} (nil: nobody, so
// {agent} has no value). Call it before the replies are used.
func (s *Saved) SetNamer(names domain.UserNamer) { s.names = names }

// The variables a saved reply may hold.
const (
	VarName      = "name"       // the contact's name (/sms contact)
	VarFirstName = "first_name" // its first word
	VarOurNumber = "our_number" // the number the text goes from
	VarAgent     = "agent"      // the teammate who sends it (their Slack display name)
)

// ReplyVariables lists the variables, in the order help shows them.
var ReplyVariables = []string{VarName, VarFirstName, VarOurNumber, VarAgent}

// Limits of a saved reply.
const (
	MaxReplyName = 64
	MaxReplyText = 1600 // the compose modal's limit too
	// MaxSavedReplies is how many the lists and the modal's select show
	// (Slack takes at most 100 options in a select).
	MaxSavedReplies = 100
)

var (
	replyVarRe  = regexp.MustCompile(`\{([A-Za-z_]+)\}`)
	replyNameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)
)

// ReplyError is a saved-reply request refused; Reason is for the teammate.
type ReplyError struct{ Reason string }

func (e *ReplyError) Error() string { return e.Reason }

func replyErrorf(format string, args ...any) error {
	return &ReplyError{Reason: fmt.Sprintf(format, args...)}
}

// SavedReply is a saved reply as the Slack side shows it.
type SavedReply struct {
	Name      string
	Text      string
	CreatedBy string
}

// ReplyName is how a name is stored: lower case, as typed otherwise.
func ReplyName(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// AddSavedReply saves text as name. A name taken, a bad name, an empty or
// too long text, or an unknown variable is a *ReplyError.
func (s *Saved) AddSavedReply(ctx context.Context, name, text, by string) error {
	name, text = ReplyName(name), strings.TrimSpace(text)
	switch {
	case !replyNameRe.MatchString(name) || len(name) > MaxReplyName:
		return replyErrorf("A saved reply's name is one word of letters, digits, - and _ (at most %d), such as `hours`; got %q.", MaxReplyName, name)
	case text == "":
		return replyErrorf("Missing the text to save.")
	case utf8.RuneCountInString(text) > MaxReplyText:
		return replyErrorf("The text is %d characters; a saved reply holds at most %d.", utf8.RuneCountInString(text), MaxReplyText)
	}
	for _, m := range replyVarRe.FindAllStringSubmatch(text, -1) {
		if !slices.Contains(ReplyVariables, m[1]) {
			return replyErrorf("Unknown variable {%s}: a saved reply may use %s.", m[1], variableList())
		}
	}
	err := s.st.AddSavedReply(ctx, &store.SavedReply{Name: name, Text: text, CreatedBy: by})
	if errors.Is(err, store.ErrExists) {
		return replyErrorf("A saved reply called `%s` exists already; remove it first (/sms reply remove %s).", name, name)
	}
	return err
}

func variableList() string {
	out := make([]string, len(ReplyVariables))
	for i, v := range ReplyVariables {
		out[i] = "{" + v + "}"
	}
	return strings.Join(out, ", ")
}

// SavedReplies lists the saved replies by name (at most MaxSavedReplies).
func (s *Saved) SavedReplies(ctx context.Context) ([]SavedReply, error) {
	rows, err := s.st.SavedReplies(ctx, MaxSavedReplies)
	if err != nil {
		return nil, err
	}
	out := make([]SavedReply, len(rows))
	for i, r := range rows {
		out[i] = SavedReply{Name: r.Name, Text: r.Text, CreatedBy: r.CreatedBy}
	}
	return out, nil
}

// RemoveSavedReply deletes the saved reply name; an unknown name is a
// *ReplyError.
func (s *Saved) RemoveSavedReply(ctx context.Context, name string) error {
	err := s.st.DeleteSavedReply(ctx, ReplyName(name))
	if errors.Is(err, store.ErrNotFound) {
		return s.unknownReply(ctx, ReplyName(name))
	}
	return err
}

// unknownReply is the refusal for a name no saved reply has, with the
// names there are.
func (s *Saved) unknownReply(ctx context.Context, name string) error {
	all, err := s.SavedReplies(ctx)
	if err != nil {
		return err
	}
	if len(all) == 0 {
		return replyErrorf("There is no saved reply called `%s`; none is saved yet (/sms reply add <name> <text>).", name)
	}
	names := make([]string, len(all))
	for i, r := range all {
		names[i] = "`" + r.Name + "`"
	}
	return replyErrorf("There is no saved reply called `%s`. Saved: %s.", name, strings.Join(names, ", "))
}

// ReplyContext is the conversation a saved reply is used in.
type ReplyContext struct {
	From    domain.E164   // our number (or sender) it goes from
	To      []domain.E164 // its recipients
	AgentID string        // the Slack user who sends it
}

// FillSavedReply is the saved reply name with its variables filled from
// c. An unknown name, or a variable with no value here, is a *ReplyError
// that names it.
func (s *Saved) FillSavedReply(ctx context.Context, name string, c ReplyContext) (string, error) {
	r, err := s.st.SavedReply(ctx, ReplyName(name))
	if errors.Is(err, store.ErrNotFound) {
		return "", s.unknownReply(ctx, ReplyName(name))
	}
	if err != nil {
		return "", err
	}
	vars, err := s.replyValues(ctx, r.Text, c)
	if err != nil {
		return "", err
	}
	return FillReply(r.Text, vars)
}

// replyValues looks up the values of the variables text uses (only those:
// no Slack call for an {agent} it does not hold).
func (s *Saved) replyValues(ctx context.Context, text string, c ReplyContext) (map[string]string, error) {
	vars := map[string]string{}
	uses := func(v string) bool { return strings.Contains(text, "{"+v+"}") }
	if (uses(VarName) || uses(VarFirstName)) && len(c.To) == 1 {
		names, err := s.st.ContactNames(ctx, []string{string(c.To[0])})
		if err != nil {
			return nil, err
		}
		vars[VarName] = strings.TrimSpace(names[string(c.To[0])])
		if f := strings.Fields(vars[VarName]); len(f) > 0 {
			vars[VarFirstName] = f[0]
		}
	}
	if uses(VarOurNumber) {
		vars[VarOurNumber] = displayNumber(c.From)
	}
	if uses(VarAgent) && c.AgentID != "" && s.names != nil {
		vars[VarAgent] = strings.TrimSpace(s.names.UserName(ctx, c.AgentID))
	}
	return vars, nil
}

// FillReply fills the variables of text from vars. A variable with no
// value (absent or empty) is a *ReplyError naming each one and where its
// value comes from.
func FillReply(text string, vars map[string]string) (string, error) {
	var missing []string
	out := replyVarRe.ReplaceAllStringFunc(text, func(m string) string {
		v := m[1 : len(m)-1]
		val := vars[v]
		if val == "" && !slices.Contains(missing, v) {
			missing = append(missing, v)
		}
		return val
	})
	if len(missing) > 0 {
		why := make([]string, len(missing))
		for i, v := range missing {
			why[i] = "{" + v + "} " + missingWhy[v]
		}
		return "", replyErrorf("Not sent: the saved reply needs %s.", strings.Join(why, "; "))
	}
	return out, nil
}

// missingWhy says why a variable can have no value, and what to do.
var missingWhy = map[string]string{
	VarName:      "(the contact's name), but this number has none: name it with /sms contact <number> <name> (a group has no one name)",
	VarFirstName: "(the contact's first name), but this number has no name: name it with /sms contact <number> <name> (a group has no one name)",
	VarOurNumber: "(the number it goes from), but no one number is picked (the number pool picks it later; pick a number to send from)",
	VarAgent:     "(your Slack display name), but Slack did not tell smsbridge your name",
}

// displayNumber writes a phone number as people read it (+1 844-555-0001);
// a short code or sender ID stays as it is.
func displayNumber(n domain.E164) string {
	if n == "" {
		return ""
	}
	num, err := phonenumbers.Parse(string(n), "")
	if err != nil || !phonenumbers.IsPossibleNumber(num) {
		return string(n)
	}
	return phonenumbers.Format(num, phonenumbers.INTERNATIONAL)
}

// ThreadConversation is what a saved reply used in a thread goes to.
type ThreadConversation struct {
	Kind    string
	Our     domain.E164
	Remotes []domain.E164
}

// ConversationInThread is the conversation whose current thread is ref;
// ok is false when ref is no conversation's current thread.
func (s *Saved) ConversationInThread(ctx context.Context, ref domain.ThreadRef) (c ThreadConversation, ok bool, err error) {
	conv, err := s.st.ConversationByThread(ctx, ref.Channel, ref.TS)
	if errors.Is(err, store.ErrNotFound) {
		return c, false, nil
	}
	if err != nil {
		return c, false, err
	}
	return ThreadConversation{Kind: domain.OrDefault(conv.Kind, store.KindSMS), Our: domain.E164(conv.OurNumber), Remotes: domain.Remotes(conv.RemoteKey)}, true, nil
}
