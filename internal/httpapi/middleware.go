package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"go.opentelemetry.io/otel/propagation"

	"github.com/latchkey/latchkey/internal/fault"
	"github.com/latchkey/latchkey/internal/observe"
)

// RequestRecorder is told of every request the server answers, for the operator's metrics.
// route is the pattern of the route that served it (never the path, so that the values are
// bounded), or UnmatchedRoute; method is one of the standard methods or "OTHER".
type RequestRecorder interface {
	Request(method, route string, status int, elapsed time.Duration)
}

// UnmatchedRoute is the route of a request no route matched (404 and 405 answers).
const UnmatchedRoute = "unmatched"

// requestState is what the middleware knows of one request, kept in its context: its id, the
// trace id when tracing is on and, once routed, the route that serves it.
type requestState struct {
	id      string
	traceID string
	route   string
	base    *slog.Logger
	// logger carries the ids; made on first use, since most requests log only their access
	// line, which is written without it.
	logger     *slog.Logger
	loggerOnce sync.Once
}

// log returns the request's logger: every line carries its ids.
func (st *requestState) log() *slog.Logger {
	st.loggerOnce.Do(func() {
		switch {
		case st.logger != nil: // given
		case st.traceID != "":
			st.logger = st.base.With("request_id", st.id, "trace_id", st.traceID)
		default:
			st.logger = st.base.With("request_id", st.id)
		}
	})
	return st.logger
}

// ids are the attributes the request's lines start with (as log's logger adds them).
func (st *requestState) ids(attrs []slog.Attr) []slog.Attr {
	attrs = append(attrs, slog.String("request_id", st.id))
	if st.traceID != "" {
		attrs = append(attrs, slog.String("trace_id", st.traceID))
	}
	return attrs
}

type requestStateKey struct{}

func stateOf(ctx context.Context) *requestState {
	st, _ := ctx.Value(requestStateKey{}).(*requestState)
	return st
}

func requestID(ctx context.Context) string {
	if st := stateOf(ctx); st != nil {
		return st.id
	}
	return ""
}

func loggerFrom(ctx context.Context) *slog.Logger {
	if st := stateOf(ctx); st != nil {
		return st.log()
	}
	return slog.Default()
}

// setRoute records the pattern of the route serving r, for the request's span and metrics.
func setRoute(r *http.Request, pattern string) {
	if st := stateOf(r.Context()); st != nil {
		st.route = pattern
	}
}

func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// statusRecorder remembers the status a handler wrote, for the access log.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// traceContext reads a caller's W3C traceparent, so that a backend's trace continues here.
var traceContext = propagation.TraceContext{}

// middleware gives each request an id (echoed in X-Request-Id and in error bodies), resolves
// the client's address once (through the trusted proxies) for every limit and record that
// needs it, logs the request as one JSON line, and turns a panic into a 500 in the API's error
// shape. With tracing on it starts the request's span, which every span of the request's work
// descends from, and puts its trace id in every log line of the request; with a recorder it
// reports the request's route, status and duration.
func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		st := &requestState{id: newRequestID(), base: s.cfg.Logger}
		ctx := r.Context()
		span := observe.Nop
		if s.cfg.Tracer != nil {
			ctx = traceContext.Extract(ctx, propagation.HeaderCarrier(r.Header))
			ctx, span = s.cfg.Tracer.Start(ctx, "HTTP "+methodLabel(r.Method), observe.Server)
		}
		st.traceID = span.TraceID()
		ctx = context.WithValue(ctx, requestStateKey{}, st)
		r = withClientIP(r.WithContext(ctx), s.cfg.TrustedProxies)
		w.Header().Set("X-Request-Id", st.id)
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				st.log().Error("panic", "panic", p)
				if rec.status == 0 {
					writeError(rec, r, fault.New(fault.Internal, "system_internal_error", "internal error"))
				}
			}
			status := rec.status
			if status == 0 {
				status = http.StatusOK // nothing written: net/http answers 200
			}
			elapsed := time.Since(start)
			s.finishRequest(span, r.Method, st.route, status, elapsed)
			// The access line is written with its attributes in place, not through the
			// request's logger: making that logger costs more than the line.
			var buf [8]slog.Attr
			attrs := append(st.ids(buf[:0]), slog.String("method", r.Method), slog.String("path", r.URL.Path),
				slog.Int("status", rec.status), slog.String("client_ip", clientIP(r)),
				slog.Float64("duration_ms", float64(elapsed.Microseconds())/1000))
			s.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "request", attrs...)
		}()
		next.ServeHTTP(rec, r)
	})
}

// finishRequest ends the request's span and reports the request to the recorder.
func (s *Server) finishRequest(span observe.Span, method, route string, status int, elapsed time.Duration) {
	if route == "" {
		route = UnmatchedRoute
	}
	method = methodLabel(method)
	if span != observe.Nop {
		span.SetName(method + " " + route)
		span.SetAttr("http.request.method", method)
		span.SetAttr("http.route", route)
		span.SetAttr("http.response.status_code", status)
		var err error
		if status >= 500 {
			// A server span fails on a 5xx only: a 4xx is the caller's mistake, answered well.
			err = fault.New(fault.Internal, strconv.Itoa(status), "")
		}
		span.End(err)
	}
	if s.cfg.Requests != nil {
		s.cfg.Requests.Request(method, route, status, elapsed)
	}
}

// methodLabel is the request's method when it is a standard one, else "OTHER": a client can
// send any token as a method, and labels must stay few.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return m
	}
	return "OTHER"
}
