package conn

import "gorm.io/gorm"

// EachByID calls fn with every row q selects, in id order, read batch rows
// at a time with a keyset on id ("id > ?" after the page before), so a read
// of any size holds one page in memory. id is a row's id; q is the query
// without its order, limit or keyset.
func EachByID[T any](q *gorm.DB, batch int, id func(*T) uint64, fn func(*T) error) error {
	batch = max(batch, 1)
	var after uint64
	for {
		var page []T
		if err := q.Session(&gorm.Session{}).Where("id > ?", after).Order("id").Limit(batch).Find(&page).Error; err != nil {
			return err
		}
		for i := range page {
			if err := fn(&page[i]); err != nil {
				return err
			}
		}
		if len(page) < batch {
			return nil
		}
		after = id(&page[len(page)-1])
	}
}
