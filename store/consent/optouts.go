package consent

import (
	"context"
	"strings"

	"gorm.io/gorm/clause"

	"github.com/smsbridge/smsbridge/store/internal/conn"
	"github.com/smsbridge/smsbridge/store/model"
)

// Lift is the opt-in that lifts opt-outs.
type Lift struct {
	By     string // the keyword, or OptOutManual
	Text   string // the text as received
	Number string // our number it came to
	User   string // the teammate, for a manual opt-in
}

// AddOptOut records o unless remote already has an active opt-out from the
// same number (or profile); it reports whether o is new.
func (s *Records) AddOptOut(ctx context.Context, o *model.OptOut) (bool, error) {
	q := s.DB.WithContext(ctx).Model(&model.OptOut{}).Where("remote = ? AND lifted_at IS NULL", o.Remote)
	if o.ProfileID != "" {
		q = q.Where("(our_number = ? OR profile_id = ?)", o.OurNumber, o.ProfileID)
	} else {
		q = q.Where("our_number = ?", o.OurNumber)
	}
	var n int64
	if err := q.Count(&n).Error; err != nil {
		return false, err
	}
	if n > 0 {
		return false, nil
	}
	if o.CreatedAt.IsZero() {
		o.CreatedAt = s.Now()
	}
	return true, s.DB.WithContext(ctx).Create(o).Error
}

// ActiveOptOuts lists the active opt-outs of any of remotes from any of
// ours, or from profile when it is not empty, oldest first.
func (s *Records) ActiveOptOuts(ctx context.Context, remotes, ours []string, profile string) ([]model.OptOut, error) {
	var out []model.OptOut
	if len(remotes) == 0 {
		return nil, nil
	}
	q := s.DB.WithContext(ctx).Where("remote IN ? AND lifted_at IS NULL", remotes)
	switch {
	case len(ours) > 0 && profile != "":
		q = q.Where("(our_number IN ? OR profile_id = ?)", ours, profile)
	case len(ours) > 0:
		q = q.Where("our_number IN ?", ours)
	case profile != "":
		q = q.Where("profile_id = ?", profile)
	default:
		return nil, nil
	}
	return out, q.Order("id").Find(&out).Error
}

// LiftOptOuts lifts remote's active opt-outs from our number (and from
// profile when it is not empty) and reports how many it lifted. Records
// already lifted are left as they are.
func (s *Records) LiftOptOuts(ctx context.Context, remote, our, profile string, l Lift) (int64, error) {
	q := s.DB.WithContext(ctx).Model(&model.OptOut{}).Where("remote = ? AND lifted_at IS NULL", remote)
	if profile != "" {
		q = q.Where("(our_number = ? OR profile_id = ?)", our, profile)
	} else {
		q = q.Where("our_number = ?", our)
	}
	res := q.Updates(map[string]any{"lifted_at": s.Now(), "lifted_by": l.By, "lift_text": l.Text,
		"lifted_number": l.Number, "lifted_by_user": l.User})
	return res.RowsAffected, res.Error
}

// EachOptOut calls fn with every opt-out record, oldest first, read a page
// of batch rows at a time (keyset on id), so an export of any size holds
// one page in memory.
func (s *Records) EachOptOut(ctx context.Context, batch int, fn func(*model.OptOut) error) error {
	return conn.EachByID(s.DB.WithContext(ctx).Model(&model.OptOut{}), batch, func(o *model.OptOut) uint64 { return o.ID }, fn)
}

// OptOutHistory lists every opt-out record of remote, newest first.
func (s *Records) OptOutHistory(ctx context.Context, remote string) ([]model.OptOut, error) {
	var out []model.OptOut
	return out, s.DB.WithContext(ctx).Where("remote = ?", remote).Order("id DESC").Find(&out).Error
}

// SetNumberProfile records the messaging profile of our number.
func (s *Records) SetNumberProfile(ctx context.Context, number, profile string) error {
	if number == "" || profile == "" {
		return nil
	}
	err := s.DB.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "number"}},
		DoUpdates: clause.AssignmentColumns([]string{"profile_id", "updated_at"}),
	}).Create(&model.OurNumber{Number: number, ProfileID: profile, UpdatedAt: s.Now()}).Error
	if err == nil {
		s.numbers.wrote(number, profile, s.Now())
	}
	return err
}

// NumberProfile is the messaging profile of our number, "" when unknown.
func (s *Records) NumberProfile(ctx context.Context, number string) (string, error) {
	var n model.OurNumber
	err := s.DB.WithContext(ctx).Where("number = ?", number).Take(&n).Error
	if err = conn.NotFound(err); err == model.ErrNotFound {
		return "", nil
	}
	return n.ProfileID, err
}

// NumbersOfProfile lists our numbers known to be on profile.
func (s *Records) NumbersOfProfile(ctx context.Context, profile string) ([]string, error) {
	var out []string
	if profile == "" {
		return nil, nil
	}
	return out, s.DB.WithContext(ctx).Model(&model.OurNumber{}).Where("profile_id = ?", profile).Order("number").Pluck("number", &out).Error
}

// ConversationsWithMember lists the conversations of any of ours whose
// remote set includes remote: the 1:1 conversation and every group.
func (s *Records) ConversationsWithMember(ctx context.Context, ours []string, remote string) ([]model.Conversation, error) {
	var out []model.Conversation
	if len(ours) == 0 {
		return nil, nil
	}
	like := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(remote)
	err := s.DB.WithContext(ctx).Where("our_number IN ?", ours).
		Where(`(remote_key = ? OR remote_key LIKE ? ESCAPE '\' OR remote_key LIKE ? ESCAPE '\' OR remote_key LIKE ? ESCAPE '\')`,
			remote, like+",%", "%,"+like, "%,"+like+",%").
		Order("id").Find(&out).Error
	return out, err
}

// RememberNumber records number as one of ours. A profile, when given,
// replaces the one known; an empty one keeps it.
func (s *Records) RememberNumber(ctx context.Context, number, profile string) error {
	if number == "" {
		return nil
	}
	// Every inbound text names our number: write only what this process
	// has not written lately (rows of our_numbers are never deleted).
	if s.numbers.known(number, profile, s.Now()) {
		return nil
	}
	if profile != "" {
		return s.SetNumberProfile(ctx, number, profile)
	}
	err := s.DB.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).
		Create(&model.OurNumber{Number: number, UpdatedAt: s.Now()}).Error
	if err == nil {
		s.numbers.wrote(number, "", s.Now())
	}
	return err
}

// OurNumbers lists every number known to be ours, sorted.
func (s *Records) OurNumbers(ctx context.Context) ([]string, error) {
	var out []string
	return out, s.DB.WithContext(ctx).Model(&model.OurNumber{}).Order("number").Pluck("number", &out).Error
}
