// Package rietest runs a real bootstrap, built as for Lambda but for this machine's CPU, under
// the AWS Lambda Runtime Interface Emulator (aws-lambda-rie, which `make test` installs when it
// is missing): the same runtime client and event path as in Lambda, with nothing of the local
// stack in between.
// It has no code of its own.
package rietest
