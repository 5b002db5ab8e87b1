export declare function duration(ms: number): string;
export declare function countdown(targetMs: number, nowMs: number): string;
