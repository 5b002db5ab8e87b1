import { randomUUID } from "node:crypto";
import type { ExecutionContext } from "@mozaiks/contracts";
import { generateKeyPair, SignJWT } from "jose";
import type { LaunchVerifyKey } from "../../engine/workflows/index.js";

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;

/** The control layer's launch-token key pair; only `publicKey` is handed to the engine. */
export interface LaunchKeys {
  kid: string;
  privateKey: KeyPair["privateKey"];
  publicKey: LaunchVerifyKey;
}

/**
 * Generates a per-process Ed25519 launch key. Launch tokens live minutes and are verified by
 * the engine of the same process, so a key that dies with the process needs no rotation.
 */
export async function createLaunchKeys(): Promise<LaunchKeys> {
  const { privateKey, publicKey } = await generateKeyPair("EdDSA", { crv: "Ed25519" });
  return { kid: `launch-${randomUUID()}`, privateKey, publicKey };
}

/** Signs ExecutionContext claims as an EdDSA JWT (the launch token). */
export async function signLaunchToken(claims: ExecutionContext, keys: LaunchKeys): Promise<string> {
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: "EdDSA", kid: keys.kid, typ: "JWT" })
    .sign(keys.privateKey);
}
