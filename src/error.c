/* The error object and the diagnostics sink (contract in src/README.md). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ringfence/error.h"

int rf_error_setv(rf_error *err, int errnum, const char *fmt, va_list ap)
{
	if (!err)
		return -1;
	err->errnum = errnum;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	return -1;
}

int rf_error_set(rf_error *err, int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rf_error_setv(err, errnum, fmt, ap);
	va_end(ap);
	return -1;
}

int rf_error_prefix(rf_error *err, const char *fmt, ...)
{
	char context[RF_ERROR_MSG_MAX];
	size_t clen, mlen;
	va_list ap;

	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(context, sizeof(context), fmt, ap);
	va_end(ap);
	/* "CONTEXT: MESSAGE", cut to fit; the context is kept whole first. */
	clen = strlen(context);
	if (clen > sizeof(err->msg) - 3)
		clen = sizeof(err->msg) - 3;
	mlen = strnlen(err->msg, sizeof(err->msg) - 1);
	if (clen + 2 + mlen > sizeof(err->msg) - 1)
		mlen = sizeof(err->msg) - 1 - clen - 2;
	memmove(err->msg + clen + 2, err->msg, mlen);
	memcpy(err->msg, context, clen);
	memcpy(err->msg + clen, ": ", 2);
	err->msg[clen + 2 + mlen] = '\0';
	return -1;
}

const char *rf_error_format(const rf_error *err, char *buf, size_t len)
{
	if (err->errnum)
		snprintf(buf, len, "%s: %s", err->msg, strerror(err->errnum));
	else
		snprintf(buf, len, "%s", err->msg);
	return buf;
}

void rf_diag_emit(const rf_diag *diag, rf_level level, const char *fmt, ...)
{
	char msg[RF_ERROR_MSG_MAX];
	va_list ap;

	if (!diag || !diag->emit)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag->emit(diag->userdata, level, msg);
}
