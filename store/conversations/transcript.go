package conversations

import (
	"context"
	"strings"

	"github.com/smsbridge/smsbridge/store/internal/conn"
	"github.com/smsbridge/smsbridge/store/model"
)

// ConversationsOfRemote lists every conversation whose remote set includes
// remote, on any of our numbers and of any kind (the 1:1 and every group),
// oldest first: what a transcript of that number covers.
func (s *Conversations) ConversationsOfRemote(ctx context.Context, remote string) ([]model.Conversation, error) {
	var out []model.Conversation
	like := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(remote)
	err := s.DB.WithContext(ctx).
		Where(`(remote_key = ? OR remote_key LIKE ? ESCAPE '\' OR remote_key LIKE ? ESCAPE '\' OR remote_key LIKE ? ESCAPE '\')`,
			remote, like+",%", "%,"+like, "%,"+like+",%").
		Order("id").Find(&out).Error
	return out, err
}

// EachMessage calls fn with every message of the conversations convIDs,
// in the order stored (ids grow with time), read a page of batch rows at a
// time (keyset on id), so a transcript of any length holds one page in
// memory.
func (s *Conversations) EachMessage(ctx context.Context, convIDs []uint64, batch int, fn func(*model.Message) error) error {
	if len(convIDs) == 0 {
		return nil
	}
	q := s.DB.WithContext(ctx).Model(&model.Message{}).Where("conversation_id IN ?", convIDs)
	return conn.EachByID(q, batch, func(m *model.Message) uint64 { return m.ID }, fn)
}
