/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmtap-cni's verbs' shared view of an attachment's endpoint (endpoint.c): the spec, the wanted values, the lookup. */
#ifndef VMTAP_CNI_ENDPOINT_H
#define VMTAP_CNI_ENDPOINT_H

#include "cni.h"
#include "util.h"

/* What cni_endpoint_find() found under the attachment's id (errors are positive CNI codes). */
enum {
	CNI_EP_NONE = -1,         /* no record */
	CNI_EP_OURS = -2,         /* a record with this attachment's label */
	CNI_EP_OTHER = -3,        /* a record with another label (or none): not ours */
};

/* The queue count, TAP name (NULL: the library's naming) and connection this request asks for. */
unsigned int cni_want_queues(const struct cni_request *req);
const char *cni_want_tap_name(const struct cni_request *req);
enum vmtap_connection cni_want_connection(const struct cni_request *req);
/* The endpoint spec of ADD. */
void cni_endpoint_spec(const struct cni_request *req, struct vmtap_endpoint_spec *s);
/*
 * Load the record of req->att.id: CNI_EP_NONE, CNI_EP_OURS or CNI_EP_OTHER
 * (*@ret_ep set for the last two, to free), or an error code in @err.
 */
int cni_endpoint_find(struct cni_request *req, struct vmtap_endpoint **ret_ep, struct cni_error *err);

DEFINE_TRIVIAL_CLEANUP_FUNC(struct vmtap_endpoint *, vmtap_endpoint_free)

#endif
