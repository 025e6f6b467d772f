// Package fault is Latchkey's one error type. Domain code returns *fault.Error values that
// separate what the caller may see (Kind, Code, Message, Details) from the cause that is only
// logged (Err). The HTTP layer maps Kind to a status code in exactly one place.
package fault
