/** The part of serverless-offline's runner (`serverless-offline/lambda`, untyped JavaScript) this plugin uses. */
declare module 'serverless-offline/lambda' {
  interface LambdaFunction {
    setEvent(event: unknown): void;
    runHandler(): Promise<unknown>;
  }
  export default class Lambda {
    constructor(serverless: unknown, options: Record<string, unknown>);
    create(lambdas: Array<{ functionKey: string; functionDefinition: unknown }>): void;
    get(functionKey: string): LambdaFunction;
    cleanup(): Promise<void>;
  }
}
