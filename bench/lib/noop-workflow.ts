/** The baseline's workflow: started, one workflow task, completed. */
export async function benchNoop(): Promise<void> {}
