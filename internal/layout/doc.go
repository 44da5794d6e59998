// Package layout holds no code: its test checks the import rules of
// DESIGN.md, so a package that reaches across a layer fails the build's
// tests rather than a review.
package layout
