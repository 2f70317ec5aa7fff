from model import CentralAsiaModel
import time, sys
m=CentralAsiaModel(seed=1)
t=time.time(); m.run(); print('run', time.time()-t)
r=m.results()
reg=r['region']; st=r['states']
import pandas as pd; pd.set_option('display.width',250); pd.set_option('display.max_columns',40)
print(reg[['step','year','influence_CHN','influence_RUS','influence_EU','influence_USA','leader','china_ca_trade','trade_CHN','fdi_CHN','friction','russia_offer','market_time_EU']].iloc[::8])
print(st[st.step.isin([0,4,64])][['step','state','gdp','debt_to_gdp','alignment_CHN','alignment_RUS','alignment_EU','alignment_USA','trade_CHN','trade_balance_CHN','security_RUS','security_CHN','sentiment_CHN','influence_CHN','influence_RUS']])
