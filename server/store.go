package server

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver
)

// errNotFound is returned by store lookups that find no row.
var errNotFound = errors.New("server: not found")

// migrations are the schema changes, in order; migrations[i] takes the
// schema from version i to i+1. Never edit a released entry: append one.
//
// The SQL is portable (ANSI types, TEXT for JSON and RFC 3339 times, no
// AUTOINCREMENT, no INSERT OR REPLACE): a PostgreSQL store on pgx would run
// the same statements once the ? placeholders are rewritten to $1, $2...
var migrations = []string{
	// 1: datasets, jobs and their events, models.
	`CREATE TABLE datasets (
		id         TEXT PRIMARY KEY,
		info       TEXT NOT NULL,
		profile    TEXT NOT NULL,
		file       TEXT NOT NULL,
		created_at TEXT NOT NULL
	);
	CREATE TABLE jobs (
		id         TEXT PRIMARY KEY,
		dataset_id TEXT NOT NULL,
		state      TEXT NOT NULL,
		message    TEXT NOT NULL,
		model_id   TEXT NOT NULL,
		snapshot   TEXT NOT NULL,
		created_at TEXT NOT NULL
	);
	CREATE INDEX jobs_state ON jobs (state);
	CREATE TABLE job_events (
		job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
		seq    BIGINT NOT NULL,
		data   TEXT NOT NULL,
		PRIMARY KEY (job_id, seq)
	);
	CREATE TABLE models (
		id         TEXT PRIMARY KEY,
		job_id     TEXT NOT NULL,
		info       TEXT NOT NULL,
		detail     TEXT NOT NULL,
		file       TEXT NOT NULL,
		created_at TEXT NOT NULL
	);`,
}

// store keeps datasets, jobs, job events and models in a SQL database.
// Rows hold JSON documents (the api.go types) beside the few columns that
// queries filter on. It is safe for concurrent use.
type store struct {
	db *sql.DB
}

// openStore opens (creating if needed) the SQLite database at path in WAL
// mode with a busy timeout and foreign keys on, and migrates it.
func openStore(ctx context.Context, path string) (*store, error) {
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "busy_timeout(5000)", "foreign_keys(1)", "synchronous(NORMAL)"} {
		q.Add("_pragma", p)
	}
	dsn := "file:" + filepath.ToSlash(path) + "?" + q.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	s := &store{db: db}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// migrate applies the migrations the database has not seen, each in its
// own transaction together with the version bump.
func (s *store) migrate(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("schema_version: %w", err)
	}
	var v int
	err := s.db.QueryRowContext(ctx, `SELECT version FROM schema_version`).Scan(&v)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if _, err := s.db.ExecContext(ctx, `INSERT INTO schema_version (version) VALUES (0)`); err != nil {
			return err
		}
	case err != nil:
		return err
	}
	if v > len(migrations) {
		return fmt.Errorf("database schema version %d is newer than this program's %d", v, len(migrations))
	}
	for i := v; i < len(migrations); i++ {
		err := s.tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, migrations[i]); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `UPDATE schema_version SET version = ?`, i+1)
			return err
		})
		if err != nil {
			return fmt.Errorf("migration %d: %w", i+1, err)
		}
	}
	return nil
}

// tx runs f in a transaction, committing when f returns nil.
func (s *store) tx(ctx context.Context, f func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := f(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

func (s *store) close() error { return s.db.Close() }

func (s *store) ping(ctx context.Context) error { return s.db.PingContext(ctx) }

func timeText(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// --- datasets

// datasetRow is a stored dataset: its description, profile and file name
// (relative to the datasets directory).
type datasetRow struct {
	Dataset Dataset
	Profile json.RawMessage
	File    string
}

func (s *store) insertDataset(ctx context.Context, d datasetRow) error {
	info, err := json.Marshal(d.Dataset)
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO datasets (id, info, profile, file, created_at) VALUES (?, ?, ?, ?, ?)`,
		d.Dataset.ID, string(info), string(d.Profile), d.File, timeText(d.Dataset.CreatedAt))
	return err
}

func (s *store) dataset(ctx context.Context, id string) (datasetRow, error) {
	var info, prof string
	var d datasetRow
	err := s.db.QueryRowContext(ctx, `SELECT info, profile, file FROM datasets WHERE id = ?`, id).Scan(&info, &prof, &d.File)
	if errors.Is(err, sql.ErrNoRows) {
		return d, errNotFound
	}
	if err != nil {
		return d, err
	}
	d.Profile = json.RawMessage(prof)
	return d, json.Unmarshal([]byte(info), &d.Dataset)
}

func (s *store) datasets(ctx context.Context) ([]Dataset, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT info FROM datasets ORDER BY created_at DESC, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Dataset{}
	for rows.Next() {
		var info string
		var d Dataset
		if err := rows.Scan(&info); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(info), &d); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// deleteDataset deletes the dataset row and returns its file name.
func (s *store) deleteDataset(ctx context.Context, id string) (string, error) {
	var file string
	err := s.tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT file FROM datasets WHERE id = ?`, id).Scan(&file)
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM datasets WHERE id = ?`, id)
		return err
	})
	return file, err
}

// --- jobs

// putJob inserts or updates a job's row from its snapshot.
func (s *store) putJob(ctx context.Context, j *Job) error {
	snap, err := json.Marshal(j)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE jobs SET state = ?, message = ?, model_id = ?, snapshot = ? WHERE id = ?`,
			string(j.State), j.Message, j.ModelID, string(snap), j.ID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n > 0 {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO jobs (id, dataset_id, state, message, model_id, snapshot, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			j.ID, j.DatasetID, string(j.State), j.Message, j.ModelID, string(snap), timeText(j.CreatedAt))
		return err
	})
}

// saveJob stores a job's snapshot and appends events to its stored ones,
// in one transaction.
func (s *store) saveJob(ctx context.Context, j *Job, events []JobEvent) error {
	snap, err := json.Marshal(j)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE jobs SET state = ?, message = ?, model_id = ?, snapshot = ? WHERE id = ?`,
			string(j.State), j.Message, j.ModelID, string(snap), j.ID); err != nil {
			return err
		}
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO job_events (job_id, seq, data) VALUES (?, ?, ?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, e := range events {
			data, err := json.Marshal(e)
			if err != nil {
				return err
			}
			if _, err := stmt.ExecContext(ctx, j.ID, e.Seq, string(data)); err != nil {
				return err
			}
		}
		return nil
	})
}

// scanJob reads a job from its state, message, model id and snapshot
// columns (the columns win over the snapshot).
func scanJob(state, message, modelID, snap string) (Job, error) {
	var j Job
	if err := json.Unmarshal([]byte(snap), &j); err != nil {
		return j, err
	}
	j.State, j.Message, j.ModelID = JobState(state), message, modelID
	return j, nil
}

func (s *store) job(ctx context.Context, id string) (Job, error) {
	var state, message, modelID, snap string
	err := s.db.QueryRowContext(ctx, `SELECT state, message, model_id, snapshot FROM jobs WHERE id = ?`, id).Scan(&state, &message, &modelID, &snap)
	if errors.Is(err, sql.ErrNoRows) {
		return Job{}, errNotFound
	}
	if err != nil {
		return Job{}, err
	}
	return scanJob(state, message, modelID, snap)
}

func (s *store) jobs(ctx context.Context) ([]Job, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT state, message, model_id, snapshot FROM jobs ORDER BY created_at DESC, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Job{}
	for rows.Next() {
		var state, message, modelID, snap string
		if err := rows.Scan(&state, &message, &modelID, &snap); err != nil {
			return nil, err
		}
		j, err := scanJob(state, message, modelID, snap)
		if err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, rows.Err()
}

// jobEvents returns the stored events of job id with Seq > after.
func (s *store) jobEvents(ctx context.Context, id string, after int64) ([]JobEvent, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT data FROM job_events WHERE job_id = ? AND seq > ? ORDER BY seq`, id, after)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []JobEvent
	for rows.Next() {
		var data string
		var e JobEvent
		if err := rows.Scan(&data); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(data), &e); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// interruptLive marks every queued or running job interrupted (at start
// up: their runner is gone) and returns how many there were.
func (s *store) interruptLive(ctx context.Context) (int64, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE jobs SET state = ?, message = ? WHERE state IN (?, ?)`,
		string(JobInterrupted), "the server stopped while the job was live", string(JobQueued), string(JobRunning))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// --- models

// modelRow is a stored model: its detail (which holds the summary) and
// its file name (relative to the models directory).
type modelRow struct {
	Detail ModelDetail
	File   string
}

func (s *store) insertModel(ctx context.Context, m modelRow) error {
	info, err := json.Marshal(m.Detail.Model)
	if err != nil {
		return err
	}
	detail, err := json.Marshal(m.Detail)
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO models (id, job_id, info, detail, file, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		m.Detail.Model.ID, m.Detail.Model.JobID, string(info), string(detail), m.File, timeText(m.Detail.Model.CreatedAt))
	return err
}

func (s *store) model(ctx context.Context, id string) (modelRow, error) {
	var detail string
	var m modelRow
	err := s.db.QueryRowContext(ctx, `SELECT detail, file FROM models WHERE id = ?`, id).Scan(&detail, &m.File)
	if errors.Is(err, sql.ErrNoRows) {
		return m, errNotFound
	}
	if err != nil {
		return m, err
	}
	return m, json.Unmarshal([]byte(detail), &m.Detail)
}

func (s *store) models(ctx context.Context) ([]Model, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT info FROM models ORDER BY created_at DESC, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Model{}
	for rows.Next() {
		var info string
		var m Model
		if err := rows.Scan(&info); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(info), &m); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// deleteModel deletes the model row and returns its file name.
func (s *store) deleteModel(ctx context.Context, id string) (string, error) {
	var file string
	err := s.tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT file FROM models WHERE id = ?`, id).Scan(&file)
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM models WHERE id = ?`, id)
		return err
	})
	return file, err
}
