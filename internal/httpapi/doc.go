// Package httpapi is Latchkey's HTTP edge: it decodes requests, calls the domain packages, and
// encodes their results. It holds no business rules. Every handler returns an error, and one
// function (writeError) turns a *fault.Error into the error body of the Mosaic API the route
// belongs to (its Family) with the status code of its Kind, so no handler can answer an error
// in a different shape.
package httpapi
