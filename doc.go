// Package automl finds a good model for a table without a Python sidecar:
// hand it an Arrow-backed frame and the name of a target column, and it
// profiles the data, cross-validates many native-Go models in parallel
// under a time budget, ensembles the best of them and returns a
// leaderboard and a predictor that can be saved, loaded and served.
//
//	frame, err := dataset.ReadFile(ctx, "train.csv") // caller releases
//	if err != nil { ... }
//	defer frame.Release()
//	res, err := automl.New(automl.Options{TimeBudget: time.Minute, Seed: 1}).Fit(ctx, frame, "target")
//	if err != nil { ... }
//	fmt.Println(res.Leaderboard)
//	err = res.Predictor.Save(w)
//	p, err := automl.Load(r)
//	preds, err := p.Predict(ctx, testFrame)
//
// # How Fit works
//
// Fit profiles the frame (dataset.Analyze) to infer the task, fits the
// preprocessing pipeline once (preprocess: imputation, encodings, dates,
// text), cuts stratified folds (group folds with Options.Group), repeated
// on small tables, and then runs trials: the class-prior
// baseline first, then a priority-ordered portfolio of known-good
// configurations of every registered model, cheapest first, then (from
// 2,000 rows up) TPE tuning of the best three families until the trial or
// time budget is spent. Every trial is cross-validated and keeps its out-of-fold
// predictions; greedy ensemble selection (Caruana et al. 2004) blends the
// best of them (a member with a sliver of the weight but most of the
// blend's memory is dropped when the folds cannot tell the blend without
// it apart), and a stacking meta-model replaces the blend when it beats
// it out of fold. The final predictor averages each member's fold models
// of the first repeat (bagging) or refits them on all rows
// (Options.FinalFit).
//
// # Budgets and determinism
//
// Options.TimeBudget is a hard deadline: learners stop between trees or
// epochs when it passes, and Fit always returns a usable predictor, down
// to the class prior or the mean. With Options.MaxTrials and no time
// budget, a fixed Seed gives a byte-identical leaderboard at any
// Parallelism: tuned trials are proposed in fixed-size batches from the
// results of earlier batches only, and each trial has its own seed.
//
// # Stability
//
// The leaderboard's JSON form (evaluate.Leaderboard) and the predictor
// file (Predictor.Save) are versioned; printed tables are for people and
// may change.
package automl
