package delivery

import "time"

// Recorder counts the worker's sends and what became of the messages (package metrics
// implements it). kind is the message's kind: model.MessageEmail, MessageSMS,
// MessageAuditWebhook or MessageSuppressed, a short fixed list.
type Recorder interface {
	// Send counts one hand-over of a message to its provider: ResultOK, or ResultError for
	// any failure, retried or not, and how long the provider took.
	Send(kind, result string, elapsed time.Duration)
	// Settled counts a message that is finished: ResultDelivered or ResultAbandoned (a
	// permanent failure, or the last attempt failed).
	Settled(kind, result string)
}

// Results as Recorder reports them.
const (
	ResultOK        = "ok"
	ResultError     = "error"
	ResultDelivered = "delivered"
	ResultAbandoned = "abandoned"
)

func (w *Worker) countSend(kind string, err error, elapsed time.Duration) {
	if w.opts.Recorder == nil {
		return
	}
	result := ResultOK
	if err != nil {
		result = ResultError
	}
	w.opts.Recorder.Send(kind, result, elapsed)
}

func (w *Worker) countSettled(kind, result string) {
	if w.opts.Recorder != nil {
		w.opts.Recorder.Settled(kind, result)
	}
}

// Kinds are the message kinds the worker sends (nil: every kind).
func (w *Worker) Kinds() []string { return append([]string(nil), w.opts.Kinds...) }
