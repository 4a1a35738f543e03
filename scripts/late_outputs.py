"""An nbconvert ExecutePreprocessor that keeps outputs a kernel publishes late,
and names a failing cell's stderr in the error.

Deno's Jupyter kernel (2.9.6) sometimes publishes a cell's `execute_result`
just after its `status: idle` message; nbclient stops listening at idle and the
output is lost (measured here: one or two lost results per notebook run). After
idle, this preprocessor keeps reading the cell's IOPub messages for a short
grace period when the cell has no result yet. Used by scripts/run_notebooks.ts:

    PYTHONPATH=scripts jupyter nbconvert --to notebook \
      --NotebookExporter.preprocessors=late_outputs.LateOutputExecutePreprocessor \
      --LateOutputExecutePreprocessor.enabled=True NOTEBOOK
"""
import time
from queue import Empty

from nbclient.exceptions import CellExecutionComplete, CellExecutionError
from nbclient.util import ensure_async
from nbconvert.preprocessors import ExecutePreprocessor
from traitlets import Float

LATE_TYPES = ("execute_result", "display_data", "update_display_data", "stream", "error")


class LateOutputExecutePreprocessor(ExecutePreprocessor):
    """ExecutePreprocessor with a grace period for IOPub output after idle."""

    grace_seconds = Float(0.5, help="How long to wait for output after idle.").tag(config=True)

    async def _async_poll_output_msg(self, parent_msg_id, cell, cell_index):
        await super()._async_poll_output_msg(parent_msg_id, cell, cell_index)
        if any(o.get("output_type") == "execute_result" for o in cell.get("outputs", [])):
            return
        deadline = time.monotonic() + self.grace_seconds
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            try:
                msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=left))
            except Empty:
                return
            if msg["parent_header"].get("msg_id") != parent_msg_id or msg["msg_type"] not in LATE_TYPES:
                continue
            try:
                self.process_message(msg, cell, cell_index)
            except CellExecutionComplete:
                pass

    async def _check_raise_for_error(self, cell, cell_index, exec_reply):
        # tslab reports compile errors on stderr, with an empty traceback: add it.
        try:
            await ensure_async(super()._check_raise_for_error(cell, cell_index, exec_reply))
        except CellExecutionError as error:
            stderr = "".join(
                o.get("text", "")
                for o in cell.get("outputs", [])
                if o.get("output_type") == "stream" and o.get("name") == "stderr"
            )
            if not stderr.strip():
                raise
            raise CellExecutionError(f"{error}\n{stderr}", error.ename, error.evalue) from None
