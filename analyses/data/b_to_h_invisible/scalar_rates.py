"""Writes scalar_rates.csv: B(B+ -> h+ S) at sin(theta) = 1 for a dark scalar S mixing
with the Higgs, per hadron channel h and scalar mass (toy normalisation).

K+ (b -> s): 5.7 x lambda^(1/2), the two-body phase-space factor
lambda^(1/2) = sqrt((1 - (m_S + m_h)^2 / m_B^2) (1 - (m_S - m_h)^2 / m_B^2)).
pi+ (b -> d): the same, times |V_td / V_ts|^2 = 0.0453 and the ratio of the scalar form
factors squared at q^2 = 0, (f0_pi / f0_K)^2 = (0.26 / 0.33)^2. The other channels of the
search (p, D_s+, anti-D0) are not B -> h S transitions: no rows, no theta limit.
Masses every 0.02 GeV up to the endpoint m_B - m_h, which is a row (rate 0).
"""

import math

M_B, HADRONS = 5.27941, {"K+": (0.493677, 5.7), "pi+": (0.13957039, 5.7 * 0.0453 * (0.26 / 0.33) ** 2)}

with open(__file__.replace(".py", ".csv"), "w") as out:
    out.write("mass,channel,value\n")
    for channel, (m_h, scale) in HADRONS.items():
        endpoint = M_B - m_h
        masses = [round(0.02 * k, 2) for k in range(int(endpoint / 0.02) + 1)] + [round(endpoint, 6)]
        for m in masses:
            lam = max((1 - (m + m_h) ** 2 / M_B**2) * (1 - (m - m_h) ** 2 / M_B**2), 0.0)
            out.write(f"{m},{channel},{scale * math.sqrt(lam):.8g}\n")
