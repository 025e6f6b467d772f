package magiclink

// LinkMaxFailures is how many wrong presentations spend a link, for the tests.
const LinkMaxFailures = linkMaxFailures
