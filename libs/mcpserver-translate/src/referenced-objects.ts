/** A Secret or ConfigMap the MCPServer names, as read from its namespace. */
export interface ReferencedObject {
  readonly metadata: { readonly name?: string };
  readonly data?: Readonly<Record<string, string>>;
  readonly stringData?: Readonly<Record<string, string>>;
  readonly binaryData?: Readonly<Record<string, string>>;
}

/** The Secrets and ConfigMaps present in the MCPServer's namespace that it may reference. */
export interface ReferencedObjects {
  readonly secrets?: readonly ReferencedObject[];
  readonly configMaps?: readonly ReferencedObject[];
}

/** The names an MCPServer references, so the controller knows what to read and watch. */
export interface ReferencedNames {
  readonly secrets: readonly string[];
  readonly configMaps: readonly string[];
}
