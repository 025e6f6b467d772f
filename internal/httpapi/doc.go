// Package httpapi is Latchkey's HTTP edge: it decodes requests, calls the domain packages, and
// encodes their results. It holds no business rules. Every handler returns an error, and one
// function (writeError) turns a *fault.Error into Mosaic's error body with the status code of
// its Kind, so no handler can answer an error in a different shape.
package httpapi
