package faulthttp

// ParsePatch exposes parsePatch to the fuzz test.
var ParsePatch = parsePatch
