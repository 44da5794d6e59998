package work

import (
	"context"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/smsbridge/smsbridge/store/internal/conn"
	"github.com/smsbridge/smsbridge/store/model"
)

// OwnerPrefix is how every lease owner of instance id begins.
func OwnerPrefix(id string) string { return id + "/" }

// GetInstance reads instance id, or ErrNotFound.
func (s *Queue) GetInstance(ctx context.Context, id string) (*model.Instance, error) {
	var in model.Instance
	if err := s.DB.WithContext(ctx).Where("id = ?", id).Take(&in).Error; err != nil {
		return nil, conn.NotFound(err)
	}
	return &in, nil
}

// TakeInstance makes boot the holder of id, if the holder is still prevBoot
// (empty: the id is new), and in the same transaction releases every lane
// lease an earlier boot of id holds, so those lanes can be claimed at once.
// taken is false when another process changed the row first.
func (s *Queue) TakeInstance(ctx context.Context, id, boot, prevBoot string) (taken bool, released int64, err error) {
	now := s.Now()
	err = s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var res *gorm.DB
		if prevBoot == "" {
			res = tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&model.Instance{ID: id, Boot: boot, BeatAt: &now})
		} else {
			res = tx.Model(&model.Instance{}).Where("id = ? AND boot = ?", id, prevBoot).
				Updates(map[string]any{"boot": boot, "beat_at": now})
		}
		if res.Error != nil || res.RowsAffected != 1 {
			return res.Error
		}
		taken = true
		// Every owner of this id except the new boot's own: the ids
		// allowed contain no "/", so the prefix cannot match another id.
		prefix := OwnerPrefix(id)
		mine := prefix + boot + "/"
		res = tx.Model(&model.Lane{}).
			Where("substr(lease_owner, 1, ?) = ? AND substr(lease_owner, 1, ?) <> ?", len(prefix), prefix, len(mine), mine).
			Updates(map[string]any{"lease_owner": "", "lease_until": nil})
		released = res.RowsAffected
		return res.Error
	})
	return taken, released, err
}

// BeatInstance says boot, holding id, is alive. ErrNotFound means another
// process has taken the id since.
func (s *Queue) BeatInstance(ctx context.Context, id, boot string) error {
	res := s.DB.WithContext(ctx).Model(&model.Instance{}).Where("id = ? AND boot = ?", id, boot).Update("beat_at", s.Now())
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return model.ErrNotFound
	}
	return nil
}

// StopInstance records that boot stopped cleanly, so the next start under
// id need not wait to be sure the id is free.
func (s *Queue) StopInstance(ctx context.Context, id, boot string) error {
	return s.DB.WithContext(ctx).Model(&model.Instance{}).Where("id = ? AND boot = ?", id, boot).Update("beat_at", nil).Error
}
