// Types for webvtt-parser 2.2.0 (W3C's WebVTT validator parser), which ships none: only what
// workers/services/caption-files.ts uses.
declare module "webvtt-parser" {
  export interface ParseError {
    message: string;
    /** 1-based. */
    line: number;
    col?: number;
  }
  export type CueNode =
    | { type: "text"; value: string }
    | { type: "timestamp"; value: number }
    | { type: "object"; name: string; classes?: string[]; value?: string; children: CueNode[] };
  export interface ParsedCue {
    id: string;
    startTime: number;
    endTime: number;
    direction: string;
    snapToLines: boolean;
    linePosition: number | "auto";
    lineAlign: string;
    textPosition: number | "auto";
    positionAlign: string;
    size: number;
    alignment: string;
    text: string;
    tree: { children: CueNode[] };
  }
  export class WebVTTParser {
    constructor(entities?: Record<string, string>);
    parse(input: string, mode?: "metadata" | "chapters"): { cues: ParsedCue[]; errors: ParseError[]; time: number };
  }
  /** The package is CommonJS without named exports a bundler can see: import its default. */
  const webvtt: { WebVTTParser: typeof WebVTTParser };
  export default webvtt;
}
