// SSL as libpq negotiates it, for node-postgres: over TCP the client asks
// with an SSLRequest; 'S' means TLS on the same socket, 'N' means the server
// has no SSL, and then sslmode decides: prefer and allow go on in plain
// text on the same socket, require / verify-ca / verify-full give up.  Unix
// sockets never use SSL (libpq ignores sslmode there).
//
// node-postgres itself only knows "SSL or not" (ssl: true fails against a
// server without SSL), so connections from libpq strings get this socket as
// their `stream` and `ssl: false`: pg then speaks the protocol over
// whatever this socket settled on.
import net from "node:net";
import { Duplex } from "node:stream";
import tls from "node:tls";

export type SslMode = "disable" | "allow" | "prefer" | "require" | "verify-ca" | "verify-full";
export const SSL_MODES: readonly SslMode[] = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"];

export interface SslSettings {
  mode: SslMode;
  /** none: any certificate; ca: signed by a trusted CA; full: and naming the host. */
  verify: "none" | "ca" | "full";
  /** ca, cert, key. */
  tls: tls.ConnectionOptions;
  /** The name to check the certificate against when it is not the address connected to (libpq's host with hostaddr). */
  name?: string;
}

// Int32 length 8, Int32 80877103
const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);

/** A socket that settles SSL the way libpq does before pg starts its protocol on it. */
export class NegotiatingSocket extends Duplex {
  private readonly raw = new net.Socket();
  private io: net.Socket | tls.TLSSocket | undefined;

  constructor(private readonly ssl: SslSettings) {
    super({ allowHalfOpen: false });
    this.raw.on("error", (err) => this.destroy(err));
  }

  /** TCP: (port, host); a Unix socket: (path). */
  connect(portOrPath: number | string, host?: string): this {
    if (host === undefined && typeof portOrPath === "string") {
      this.raw.connect(portOrPath, () => this.use(this.raw));
    } else {
      const h = host ?? "localhost";
      this.raw.connect(Number(portOrPath), h, () => this.negotiate(h));
    }
    return this;
  }

  setNoDelay(noDelay = true): this {
    this.raw.setNoDelay(noDelay);
    return this;
  }

  setKeepAlive(enable = false, initialDelay = 0): this {
    this.raw.setKeepAlive(enable, initialDelay);
    return this;
  }

  ref(): this {
    this.raw.ref();
    return this;
  }

  unref(): this {
    this.raw.unref();
    return this;
  }

  /** For SCRAM channel binding over TLS. */
  getPeerCertificate(detailed?: boolean): tls.PeerCertificate | tls.DetailedPeerCertificate {
    if (!(this.io instanceof tls.TLSSocket)) throw new Error("not an SSL connection");
    return this.io.getPeerCertificate(detailed as true);
  }

  /** Whether the connection settled on SSL. */
  get encrypted(): boolean {
    return this.io instanceof tls.TLSSocket;
  }

  private negotiate(host: string): void {
    const required = this.ssl.mode !== "allow" && this.ssl.mode !== "prefer";
    this.raw.write(SSL_REQUEST);
    this.raw.once("data", (b: Buffer) => {
      if (b.length === 1 && b[0] === 0x53) return this.startTls(host); // 'S'
      if (b.length === 1 && b[0] === 0x4e) { // 'N'
        if (required) return this.destroy(new Error(`server does not support SSL, but SSL was required (sslmode=${this.ssl.mode})`));
        return this.use(this.raw);
      }
      if (b[0] === 0x45) return this.destroy(new Error("server refused the SSL request with an error (a server before 7.0?)"));
      this.destroy(new Error("received unexpected data in reply to the SSL request"));
    });
  }

  private startTls(host: string): void {
    const name = this.ssl.name ?? host;
    const opts: tls.ConnectionOptions = {
      ...this.ssl.tls,
      socket: this.raw,
      rejectUnauthorized: this.ssl.verify !== "none",
    };
    // SNI only for names; the certificate is checked against servername, else host
    if (net.isIP(name) === 0) opts.servername = name;
    else opts.host = name;
    if (this.ssl.verify === "ca") opts.checkServerIdentity = () => undefined;
    const s = tls.connect(opts, () => this.use(s));
    s.on("error", (err) => this.destroy(err));
  }

  private use(io: net.Socket | tls.TLSSocket): void {
    this.io = io;
    io.on("data", (d: Buffer) => {
      if (!this.push(d)) io.pause();
    });
    io.on("end", () => this.push(null));
    io.on("close", () => this.destroy());
    if (io !== this.raw) io.on("error", (err) => this.destroy(err));
    this.emit("connect");
  }

  override _read(): void {
    this.io?.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (!this.io) return cb(new Error("not connected"));
    if (this.io.write(chunk)) cb();
    else this.io.once("drain", () => cb());
  }

  override _final(cb: (err?: Error | null) => void): void {
    if (this.io) this.io.end(() => cb());
    else {
      this.raw.end();
      cb();
    }
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.io?.destroy();
    this.raw.destroy();
    cb(err);
  }
}
