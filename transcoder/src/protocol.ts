// The transcoder's side of the contract with the Worker: the shared module (contracts/),
// under the names the transcoder's code uses, and the failure it throws.
import type { FailureCode, Rendition, TranscoderEvent } from "../../contracts/transcoder.ts";

export {
  type AudioChunk,
  type FailureCode,
  JobRequest,
  type JobSettings,
  type JobStatus,
  type Metadata,
  type Stage,
  type Storyboard,
  type Thumbnails,
  TranscribeRequest,
  type TranscribeResult,
  type TranscriberInfo,
  type TranscriptSegment,
  type TranscriptWord,
} from "../../contracts/transcoder.ts";

export type RenditionOut = Rendition;
export type JobEvent = TranscoderEvent;

/** A failure with the code the Worker shows to the uploader. */
export class JobFailure extends Error {
  readonly code: FailureCode;
  constructor(code: FailureCode, message: string) {
    super(message);
    this.code = code;
  }
}
