// Package temporal runs the search's trials on a Temporal cluster: each
// fold of a trial is a short workflow (FoldWorkflow) whose one activity
// fits the model on a worker anywhere, with heartbeats, retries when a
// worker is lost, and cancellation and deadlines carried through.
//
// It is a nested module so that the core library does not depend on the
// Temporal SDK. The core defines the seam (automl.TrialExecutor,
// remote.Executor, remote.Worker, remote.Store); this
// package supplies the transport and the worker.
//
// # Coordinator
//
//	c, _ := client.Dial(client.Options{HostPort: "localhost:7233"})
//	store, _ := remote.NewDirStore("/shared/blobs")
//	opts := automl.Options{Executor: temporal.NewExecutor(c, "automl", store)}
//	res, err := automl.New(opts).Fit(ctx, frame, "target")
//
// # Workers
//
//	w := temporal.NewWorker(c, "automl", &remote.Worker{Store: store}, temporal.WorkerOptions{})
//	err := w.Run(worker.InterruptCh())
//
// Fold data travels through the remote.Store, written once per fold by the
// coordinator and cached by workers; results over 1 MB too. Workflow
// payloads hold only keys, parameters and small results.
//
// The command cmd/automl-temporal wraps both sides: `automl-temporal
// worker` and `automl-temporal fit --executor temporal://HOST:PORT/QUEUE`.
// DESIGN.md explains the choices and gives measured throughput.
package temporal
