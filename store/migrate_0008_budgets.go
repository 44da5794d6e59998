package store

import "gorm.io/gorm"

// budgetTables is migration 8 as it shipped, in plain SQL so it never
// follows a struct that changes later. A budget is a rate limit shared by
// every replica on the database, kept as GCRA: tat is the theoretical
// arrival time (when the bucket would next be empty if nothing more were
// taken); paused_until is the end of the latest pause a 429 or queue-full
// asked for. budget_holds are reservations: a caller told to come back at a
// slot keeps that slot, so waiters are served in the order they asked and
// come back once, not all at the same instant.
var budgetTables = map[string][]string{
	"sqlite": {
		`CREATE TABLE IF NOT EXISTS budgets (
			key VARCHAR(191) NOT NULL PRIMARY KEY,
			tat DATETIME NOT NULL,
			paused_until DATETIME,
			updated_at DATETIME NOT NULL
		)`,
		`CREATE TABLE IF NOT EXISTS budget_holds (
			budget_key VARCHAR(191) NOT NULL,
			holder VARCHAR(191) NOT NULL,
			at DATETIME NOT NULL,
			PRIMARY KEY (budget_key, holder)
		)`,
	},
	"postgres": {
		`CREATE TABLE IF NOT EXISTS budgets (
			key VARCHAR(191) NOT NULL PRIMARY KEY,
			tat TIMESTAMPTZ NOT NULL,
			paused_until TIMESTAMPTZ,
			updated_at TIMESTAMPTZ NOT NULL
		)`,
		`CREATE TABLE IF NOT EXISTS budget_holds (
			budget_key VARCHAR(191) NOT NULL,
			holder VARCHAR(191) NOT NULL,
			at TIMESTAMPTZ NOT NULL,
			PRIMARY KEY (budget_key, holder)
		)`,
	},
}

func init() {
	registerMigration(8, "budgets: shared rate limits and their reservations", func(tx *gorm.DB) error {
		dialect := "sqlite"
		if tx.Dialector.Name() == "postgres" {
			dialect = "postgres"
		}
		for _, q := range budgetTables[dialect] {
			if err := tx.Exec(q).Error; err != nil {
				return err
			}
		}
		return nil
	})
}
