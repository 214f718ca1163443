_='_=%r;print(_%%_)';print(_%_)
