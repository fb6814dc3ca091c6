"""TLS contexts for what leaves a pod (ADR 0094, 0095, 0099): one implementation, in the events
library, because ``KafkaConnection`` (there) uses it too; the platform's settings and the
services import it from here."""

from kokuho.events.runtime.tls import TlsFilesRefused, mutual_context, verifying_context

__all__ = ["TlsFilesRefused", "mutual_context", "verifying_context"]
