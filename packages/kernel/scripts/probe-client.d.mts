export declare const pythonBin: string;
export declare function pythonAvailable(): boolean;
export declare class ProbeServer {
  constructor(script: string);
  request(value: unknown): Promise<unknown>;
  close(): void;
}
