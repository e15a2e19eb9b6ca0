// Package remote runs a search's folds in other processes: the data plane
// and wire format behind automl.Options.Executor for workers elsewhere.
//
// Executor is an automl.TrialExecutor that writes each fold's data once to
// a Store (content-addressed: Key is the SHA-256 of the bytes, EncodeFold
// the bit-exact encoding), sends a Request through a Transport and
// rebuilds the fitted model from the Reply's bytes. Worker is the other
// side (fetch, decode, automl.FitLocal, encode), and is itself a Transport
// that runs folds in this process, which is how the tests cover the whole
// path without a cluster. DirStore is a local or shared directory;
// CachedStore reads a remote store through a local one.
//
// The temporal module (github.com/automl-agent/automl/temporal) carries
// Requests as Temporal workflows; any other queue can implement
// Transport. A model must implement encoding.BinaryMarshaler and
// BinaryUnmarshaler to run remotely (every built-in model does), and
// workers must register the same models as the coordinator.
package remote
