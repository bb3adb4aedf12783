// Exact arithmetic for the rasterizer. Twin: the helpers at the end of
// Sources/DoodleData/Rasterizer.swift (fixed, Slope.compare), plus what JavaScript needs and Swift
// has built in: the sign of a difference of products and a product's quotient, both exact where Swift
// uses 64-bit Int (doubles below 2^53, BigInt above), and glibc's hypot, which Foundation's hypot is.

const TWO_53 = 2 ** 53;

/** Swift's Double.rounded(.toNearestOrEven) times 256 as an integer: cairo's fixed-point value. */
export function fixed(value) {
  const scaled = value * 256.0;
  let r = Math.round(scaled); // ties upwards; fix ties at odd integers to even
  if (r - scaled === 0.5 && r % 2 !== 0) r -= 1;
  return r;
}

/** The sign of a*b - c*d for integers, exactly. */
export function compareProducts(a, b, c, d) {
  const lhs = a * b;
  const rhs = c * d;
  if (Math.abs(lhs) < TWO_53 && Math.abs(rhs) < TWO_53) return lhs < rhs ? -1 : lhs > rhs ? 1 : 0;
  const bigLHS = BigInt(a) * BigInt(b);
  const bigRHS = BigInt(c) * BigInt(d);
  return bigLHS < bigRHS ? -1 : bigLHS > bigRHS ? 1 : 0;
}

export let quotient = 0;
export let remainder = 0;

/**
 * (a * b) / c truncated towards zero into `quotient` and `remainder`, as Swift's Int division, for
 * integers and c > 0. Below 2^53 the double quotient truncates to the exact one (the true quotient
 * is at least 1/c from the next integer, more than half an ulp), and q * c and a * b - q * c are exact.
 */
export function divideProduct(a, b, c) {
  const product = a * b;
  if (Math.abs(product) < TWO_53) {
    quotient = Math.trunc(product / c);
    remainder = product - quotient * c;
    return;
  }
  const bigProduct = BigInt(a) * BigInt(b);
  const bigC = BigInt(c);
  quotient = Number(bigProduct / bigC);
  remainder = Number(bigProduct % bigC);
}

/** glibc's hypot (2.35+, without FMA), which the Swift code calls, for finite non-zero x and y. */
export function hypot(x, y) {
  x = Math.abs(x);
  y = Math.abs(y);
  const ax = x < y ? y : x;
  const ay = x < y ? x : y;
  // The huge and tiny scaling branches are left out: the stroker's directions never reach them.
  if (ay <= ax * 2 ** -54) return ax + ay;
  let h = Math.sqrt(ax * ax + ay * ay);
  let t1;
  let t2;
  if (h <= 2.0 * ay) {
    const delta = h - ay;
    t1 = ax * (2.0 * delta - ax);
    t2 = (delta - 2.0 * (ax - ay)) * delta;
  } else {
    const delta = h - ax;
    t1 = 2.0 * delta * (ax - 2.0 * ay);
    t2 = (4.0 * delta - ay) * ay + delta * delta;
  }
  h -= (t1 + t2) / (2.0 * h);
  return h;
}

/** The order of two directions by angle, exactly as cairo compares slopes (Slope.compare). */
export function compareSlopes(adx, ady, bdx, bdy) {
  const order = compareProducts(ady, bdx, bdy, adx);
  if (order !== 0) return order;
  const aZero = adx === 0 && ady === 0;
  const bZero = bdx === 0 && bdy === 0;
  if (aZero || bZero) return aZero === bZero ? 0 : aZero ? 1 : -1;
  if (adx < 0 !== bdx < 0 || ady < 0 !== bdy < 0) return adx > 0 || (adx === 0 && ady > 0) ? -1 : 1;
  return 0;
}
