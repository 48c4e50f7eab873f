"""The skeleton every remote adapter fills in: key selection and task-id packing."""

from dataclasses import replace
from typing import Any

from django.conf import settings

from apps.catalog.registry import spec_for
from apps.providers.base import JobSpec, PollResult
from apps.providers.common import Call, pack_task_id, unpack_task_id
from apps.providers.credentials import key_for_submit, key_for_task
from apps.providers.sandbox import inapp


class RemoteAdapter:
    name = ""
    display = ""
    base_setting = ""
    inline = False

    @property
    def call(self) -> Call:
        return Call(self.name, self.display)

    @property
    def base(self) -> str:
        if inapp.enabled():
            return inapp.provider_url(self.name)
        return str(getattr(settings, self.base_setting)).rstrip("/")

    # --- the protocol ---------------------------------------------------------------

    def submit(self, spec: JobSpec) -> str:
        key, credential_id = key_for_submit(self.name, spec.workspace_id)
        return pack_task_id(self._submit(controls_applied(spec), key), credential_id)

    def poll(self, task_id: str) -> PollResult:
        native, credential_id = unpack_task_id(task_id)
        return self._poll(native, key_for_task(self.name, credential_id))

    def cancel(self, task_id: str) -> None:
        native, credential_id = unpack_task_id(task_id)
        self._cancel(native, key_for_task(self.name, credential_id))

    # --- per provider ---------------------------------------------------------------

    def _submit(self, spec: JobSpec, key: str) -> str:
        raise NotImplementedError

    def _poll(self, native: str, key: str) -> PollResult:
        raise NotImplementedError

    def _cancel(self, native: str, key: str) -> None:
        raise NotImplementedError

    def build_body(self, spec: JobSpec) -> Any:
        """The provider request body for `spec` (also used by tests of the mapping)."""
        raise NotImplementedError


def controls_applied(spec: JobSpec) -> JobSpec:
    """The job as its provider takes it: camera_motion / motion_strength / fps turned into
    the model's native fields (`spec.native`) or text added to the prompt, as the
    catalogue declares for the model."""
    model = spec_for(spec.model_id)
    if model is None:
        return spec
    applied = model.controls.apply(spec.params, spec.prompt or "")
    if applied.prompt == spec.prompt and not applied.fields:
        return spec
    return replace(spec, prompt=applied.prompt, native={**spec.native, **applied.fields})


def input_url(spec: JobSpec, role: str) -> str | None:
    item = spec.inputs.get(role)
    return item.url if item is not None else None
